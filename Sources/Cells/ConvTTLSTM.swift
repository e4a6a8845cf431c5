import Engine
import Layers

/// Conv-TT-LSTM (Su et al. 2020), the paper's baseline (SPEC §10.2): stacked `ConvTTLSTMCell`s
/// wired like ConvLSTM (layer 0 fed the frame, layer l > 0 the new H of layer l − 1), each layer
/// with its own cell state and history of S hidden states, all zero at t = 0.
/// Official names: `cell_list.l.layers.j.*`, `cell_list.l.layers_.j.*`, `conv_last.weight`
/// (1×1, N_top → Cp, no bias; NVlabs' own network has an output bias and skips, not ours).
public final class ConvTTLSTMBackbone: Backbone {
    public let hiddenChannels: [Int]
    public let frameChannels: Int
    let cells: [ConvTTLSTMCell]
    let outputConvolution: Conv2D

    public struct State {
        public internal(set) var layers: [ConvTTLSTMCell.State]
    }

    public init(frameChannels: Int, hiddenChannels: [Int], options: ConvTTLSTMOptions, filterSize: Int,
                using random: inout RandomGenerator) {
        precondition(!hiddenChannels.isEmpty, "Conv-TT-LSTM: needs at least one layer")
        self.hiddenChannels = hiddenChannels
        self.frameChannels = frameChannels
        cells = zip(stackedInputChannels(frameChannels: frameChannels, hiddenChannels: hiddenChannels),
                    hiddenChannels).map { inputs, hidden in
            ConvTTLSTMCell(inputChannels: inputs, hiddenChannels: hidden, options: options,
                           kernelSize: options.kernelSize ?? filterSize, using: &random)
        }
        outputConvolution = frameOutputConvolution(hiddenChannels: hiddenChannels, frameChannels: frameChannels,
                                                   using: &random)
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        cellListParameters(cells, outputConvolution: outputConvolution)
    }

    public func initialState(batch: Int, height: Int, width: Int) -> State {
        State(layers: zip(hiddenChannels, cells).map { channels, cell in
            let zeros = Variable(Tensor(zeros: [batch, channels, height, width]))
            return .init(history: Array(repeating: zeros, count: cell.steps), cell: zeros)
        })
    }

    public func layerZeroInput(frame: Variable, state: inout State) -> Variable { frame }

    public func step(layer: Int, input: Variable, state: inout State) -> (hidden: Variable, outputGate: Variable?) {
        let (next, outputGate) = cells[layer](input, state.layers[layer])
        state.layers[layer] = next
        return (next.history.last!, outputGate)
    }

    /// MotionRNN's corrected H replaces the newest history entry; C is unchanged (SPEC §10.3).
    public func replaceHidden(layer: Int, with hidden: Variable, state: inout State) {
        state.layers[layer].history[state.layers[layer].history.count - 1] = hidden
    }

    public func frame(fromTopHidden hidden: Variable) -> Variable { outputConvolution(hidden) }
}
