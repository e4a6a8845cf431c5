import Engine
import Layers

/// PredRNN (SPEC §3): ST-LSTM layers whose spatiotemporal memory M zig-zags upwards through the
/// layers within a step and from the top layer back to layer 0 at the next step.
/// Official names: `cell_list.l.*`, `conv_last.weight` (1×1, N → Cp, no bias).
public final class PredRNNBackbone: Backbone {
    public let hiddenChannels: [Int]
    public let frameChannels: Int
    let cells: [SpatioTemporalLSTMCell]
    let outputConvolution: Conv2D

    public struct State {
        var layers: [SpatioTemporalLSTMCell.State]
        /// The zig-zag memory: the last M any layer produced.
        var memory: Variable
    }

    /// `layerNormShape` (patch-space height and width) turns on the official `layer_norm = 1`.
    public init(frameChannels: Int, hiddenChannels: [Int], filterSize: Int,
                layerNormShape: (height: Int, width: Int)?, using random: inout RandomGenerator) {
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
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        cellListParameters(cells, outputConvolution: outputConvolution)
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
        let (next, outputGate) = cells[layer](input, layerState)
        state.layers[layer] = next
        state.memory = next.memory
        return (next.hidden, outputGate)
    }

    public func replaceHidden(layer: Int, with hidden: Variable, state: inout State) {
        state.layers[layer].hidden = hidden
    }

    public func frame(fromTopHidden hidden: Variable) -> Variable { outputConvolution(hidden) }
}

extension PredRNNBackbone: ChannelLayoutDescribing {
    public var channelLayouts: [String: ChannelLayout] {
        cellListLayouts(cells.map { $0.channelLayouts(input:) }, frameChannels: frameChannels,
                        outputConvolution: outputConvolution)
    }
}
