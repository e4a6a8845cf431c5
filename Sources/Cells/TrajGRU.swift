import Engine
import Layers

/// TrajGRU (Shi et al. 2017), the paper's baseline (SPEC §10.1): stacked `TrajGRUCell`s, layer 0
/// fed the frame and layer l > 0 the new hidden state of layer l − 1 at the same step; each layer
/// keeps only its own H, so widths may differ.
/// Official names: `cell_list.l.{i2h, i2f_conv1, h2f_conv1, flows_conv, ret}.{weight, bias}`,
/// `conv_last.weight` (1×1, N_top → Cp, no bias).
public final class TrajGRUBackbone: Backbone {
    public let hiddenChannels: [Int]
    public let frameChannels: Int
    let cells: [TrajGRUCell]
    let outputConvolution: Conv2D

    public struct State {
        var hidden: [Variable]
    }

    public init(frameChannels: Int, hiddenChannels: [Int], options: TrajGRUOptions,
                using random: inout RandomGenerator) {
        precondition(!hiddenChannels.isEmpty, "TrajGRU: needs at least one layer")
        precondition(options.links.count == 1 || options.links.count == hiddenChannels.count,
                     "TrajGRU: links \(options.links) must be one value or one per layer (\(hiddenChannels.count))")
        self.hiddenChannels = hiddenChannels
        self.frameChannels = frameChannels
        let inputs = stackedInputChannels(frameChannels: frameChannels, hiddenChannels: hiddenChannels)
        cells = hiddenChannels.indices.map { layer in
            TrajGRUCell(inputChannels: inputs[layer], hiddenChannels: hiddenChannels[layer], options: options,
                        links: options.links(layer: layer), using: &random)
        }
        outputConvolution = frameOutputConvolution(hiddenChannels: hiddenChannels, frameChannels: frameChannels,
                                                   using: &random)
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        cellListParameters(cells, outputConvolution: outputConvolution)
    }

    /// No output gate: MotionRNN-TrajGRU runs without the highway term (SPEC §10.3).
    public var hasOutputGate: Bool { false }

    public func initialState(batch: Int, height: Int, width: Int) -> State {
        State(hidden: hiddenChannels.map { Variable(Tensor(zeros: [batch, $0, height, width])) })
    }

    public func layerZeroInput(frame: Variable, state: inout State) -> Variable { frame }

    public func step(layer: Int, input: Variable, state: inout State) -> (hidden: Variable, outputGate: Variable?) {
        state.hidden[layer] = cells[layer](input, hidden: state.hidden[layer])
        return (state.hidden[layer], nil)
    }

    public func replaceHidden(layer: Int, with hidden: Variable, state: inout State) {
        state.hidden[layer] = hidden
    }

    public func frame(fromTopHidden hidden: Variable) -> Variable { outputConvolution(hidden) }
}
