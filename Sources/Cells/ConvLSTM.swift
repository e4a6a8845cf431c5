import Engine
import Layers

/// ConvLSTM (Shi et al. 2015) as OpenSTL's `ConvLSTM_Model`: stacked `ConvLSTMCell`s, layer 0 fed
/// the frame and layer l > 0 the new hidden state of layer l − 1 at the same step; each layer
/// keeps only its own (H, C), so layer widths may differ.
/// Official names: `cell_list.l.conv_x.0.weight`, `cell_list.l.conv_h.0.weight` (+ `.1.*` with
/// layer norm), `conv_last.weight` (1×1, N_top → Cp, no bias).
public final class ConvLSTMBackbone: Backbone {
    public let hiddenChannels: [Int]
    public let frameChannels: Int
    let cells: [ConvLSTMCell]
    let outputConvolution: Conv2D

    public struct State {
        var layers: [ConvLSTMCell.State]
    }

    /// `layerNormShape` (patch-space height and width) turns on the official `layer_norm = 1`.
    public init(frameChannels: Int, hiddenChannels: [Int], filterSize: Int,
                layerNormShape: (height: Int, width: Int)?, using random: inout RandomGenerator) {
        precondition(!hiddenChannels.isEmpty, "ConvLSTM: needs at least one layer")
        self.hiddenChannels = hiddenChannels
        self.frameChannels = frameChannels
        cells = zip(stackedInputChannels(frameChannels: frameChannels, hiddenChannels: hiddenChannels),
                    hiddenChannels).map { inputs, hidden in
            ConvLSTMCell(inputChannels: inputs, hiddenChannels: hidden, filterSize: filterSize,
                         layerNormShape: layerNormShape, using: &random)
        }
        outputConvolution = frameOutputConvolution(hiddenChannels: hiddenChannels, frameChannels: frameChannels,
                                                   using: &random)
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        cellListParameters(cells, outputConvolution: outputConvolution)
    }

    public func initialState(batch: Int, height: Int, width: Int) -> State {
        State(layers: hiddenChannels.map { channels in
            let zeros = Variable(Tensor(zeros: [batch, channels, height, width]))
            return .init(hidden: zeros, cell: zeros)
        })
    }

    public func layerZeroInput(frame: Variable, state: inout State) -> Variable { frame }

    public func step(layer: Int, input: Variable, state: inout State) -> (hidden: Variable, outputGate: Variable?) {
        let (next, outputGate) = cells[layer](input, state.layers[layer])
        state.layers[layer] = next
        return (next.hidden, outputGate)
    }

    public func replaceHidden(layer: Int, with hidden: Variable, state: inout State) {
        state.layers[layer].hidden = hidden
    }

    public func frame(fromTopHidden hidden: Variable) -> Variable { outputConvolution(hidden) }
}

extension ConvLSTMBackbone: ChannelLayoutDescribing {
    public var channelLayouts: [String: ChannelLayout] {
        cellListLayouts(cells.map { $0.channelLayouts(input:) }, frameChannels: frameChannels,
                        outputConvolution: outputConvolution)
    }
}
