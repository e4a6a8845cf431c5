import Engine
import Layers

/// PredRNN (SPEC §3): ST-LSTM layers whose spatiotemporal memory M zig-zags upwards through the
/// layers within a step and from the top layer back to layer 0 at the next step.
/// Official names: `cell_list.l.*`, `conv_last.weight` (1×1, N → Cp, no bias).
///
/// PredRNN-v2 (Wang et al., TPAMI 2022; the official `predrnn_v2`) is the same stack with memory
/// decoupling: a 1×1 `adapter` (N → N, no bias, shared by the layers) maps each step's increments
/// ΔC and ΔM of every layer, and the loss gains `decouplingWeight` (β) times the mean over steps
/// and layers of the mean |cos| between them over the positions, so that the two memories learn
/// different things.
public final class PredRNNBackbone: Backbone {
    public let hiddenChannels: [Int]
    public let frameChannels: Int
    let cells: [SpatioTemporalLSTMCell]
    let outputConvolution: Conv2D
    /// PredRNN-v2's decoupling: its adapter and β; nil for PredRNN.
    let decoupling: (adapter: Conv2D, weight: Float)?

    public struct State {
        var layers: [SpatioTemporalLSTMCell.State]
        /// The zig-zag memory: the last M any layer produced.
        var memory: Variable
        /// PredRNN-v2, when asked (`collectAuxiliaryLoss`): the mean |cos(adapter(ΔC), adapter(ΔM))|
        /// of each (step, layer) so far.
        var decouplingTerms: [Variable]?
    }

    /// `layerNormShape` (patch-space height and width) turns on the official `layer_norm = 1`;
    /// `decouplingWeight` makes it PredRNN-v2 (the official β is 0.1).
    public init(frameChannels: Int, hiddenChannels: [Int], filterSize: Int,
                layerNormShape: (height: Int, width: Int)?, decouplingWeight: Float? = nil,
                using random: inout RandomGenerator) {
        precondition(!hiddenChannels.isEmpty && hiddenChannels.allSatisfy { $0 == hiddenChannels[0] },
                     "PredRNN: the zig-zag memory needs equal layer widths, got \(hiddenChannels)")
        self.hiddenChannels = hiddenChannels
        self.frameChannels = frameChannels
        cells = zip(stackedInputChannels(frameChannels: frameChannels, hiddenChannels: hiddenChannels),
                    hiddenChannels).map { inputs, hidden in
            SpatioTemporalLSTMCell(inputChannels: inputs, hiddenChannels: hidden, filterSize: filterSize,
                                   layerNormShape: layerNormShape, using: &random)
        }
        outputConvolution = frameOutputConvolution(hiddenChannels: hiddenChannels, frameChannels: frameChannels,
                                                   using: &random)
        decoupling = decouplingWeight.map { weight in
            (Conv2D(hiddenChannels[0], hiddenChannels[0], kernelSize: 1, bias: false, using: &random), weight)
        }
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        cellListParameters(cells, outputConvolution: outputConvolution)
            + (decoupling.map { prefixed("adapter", $0.adapter) } ?? [])
    }

    public func initialState(batch: Int, height: Int, width: Int) -> State {
        let zeros = { (channels: Int) in Variable(Tensor(zeros: [batch, channels, height, width])) }
        return State(
            layers: hiddenChannels.map { .init(hidden: zeros($0), cell: zeros($0), memory: zeros($0)) },
            memory: zeros(hiddenChannels[0]))
    }

    public func layerZeroInput(frame: Variable, state: inout State) -> Variable { frame }

    public func step(layer: Int, input: Variable, state: inout State) -> (hidden: Variable, outputGate: Variable?) {
        var layerState = state.layers[layer]
        layerState.memory = state.memory
        let next: SpatioTemporalLSTMCell.State, outputGate: Variable
        if let adapter = decoupling?.adapter, state.decouplingTerms != nil {
            let increments: (cell: Variable, memory: Variable)
            (next, outputGate, increments) = cells[layer].stepWithIncrements(input, layerState)
            // Rows of positions per (sequence, channel), as the official `.view(B, N, -1)`.
            let rows = { (x: Variable) in reshape(adapter(x), [x.shape[0], x.shape[1], x.shape[2] * x.shape[3]]) }
            state.decouplingTerms!.append(meanAbsoluteCosineSimilarity(rows(increments.cell), rows(increments.memory)))
        } else {
            (next, outputGate) = cells[layer](input, layerState)
        }
        state.layers[layer] = next
        state.memory = next.memory
        return (next.hidden, outputGate)
    }

    public func collectAuxiliaryLoss(in state: inout State) {
        if decoupling != nil { state.decouplingTerms = [] }
    }

    public func auxiliaryLoss(_ state: State) -> Variable? {
        guard let weight = decoupling?.weight, let terms = state.decouplingTerms, let first = terms.first else { return nil }
        return terms.dropFirst().reduce(first, +) * (weight / Float(terms.count))
    }

    public func replaceHidden(layer: Int, with hidden: Variable, state: inout State) {
        state.layers[layer].hidden = hidden
    }

    public func frame(fromTopHidden hidden: Variable) -> Variable { outputConvolution(hidden) }
}

extension PredRNNBackbone: ChannelLayoutDescribing {
    public var channelLayouts: [String: ChannelLayout] {
        var layouts = cellListLayouts(cells.map { $0.channelLayouts(input:) }, frameChannels: frameChannels,
                                      outputConvolution: outputConvolution)
        if let adapter = decoupling?.adapter {
            layouts.merge(convolutionLayouts([("adapter", adapter, .init(output: [.width], input: [.width]))])) { $1 }
        }
        return layouts
    }
}
