import Engine
import Layers

/// The convolutional LSTM cell (Shi et al. 2015) as OpenSTL's `ConvLSTMCell` computes it:
///
///     [i_x, f_x, g_x, o_x] = conv_x(x),   [i_h, f_h, g_h, o_h] = conv_h(H)
///     i = σ(i_x + i_h),  f = σ(f_x + f_h),  g = tanh(g_x + g_h),  o = σ(o_x + o_h)
///     C' = f ⊙ C + i ⊙ g,   H' = o ⊙ tanh(C')
///
/// No forget bias (OpenSTL stores `_forget_bias = 1` but never adds it) and no peepholes.
/// H' uses tanh(C'), not OpenSTL v0.3.0's `o ⊙ g` (its issue #68). MotionRNN adds its highway
/// outside the cell (`motionHighway`), from the output gate returned here.
/// Official parameter names: `conv_x.0.weight`, `conv_h.0.weight` (plus `.1.weight/.1.bias` with
/// layer norm). OpenSTL's `conv_o` and `conv_last` exist there but are never used, so they are
/// left out.
public final class ConvLSTMCell: Layer {
    public let hiddenChannels: Int
    let convX: NormalizedConv2D   // x → i, f, g, o
    let convH: NormalizedConv2D   // H → i, f, g, o

    public struct State {
        public var hidden: Variable
        public var cell: Variable

        public init(hidden: Variable, cell: Variable) {
            self.hidden = hidden
            self.cell = cell
        }
    }

    /// `layerNormShape` (the cell's spatial size) turns on the official `layer_norm = 1` variant.
    public init(inputChannels: Int, hiddenChannels n: Int, filterSize: Int,
                layerNormShape: (height: Int, width: Int)?, using random: inout RandomGenerator) {
        hiddenChannels = n
        convX = NormalizedConv2D(inputChannels, 4 * n, kernelSize: filterSize, layerNormShape: layerNormShape, using: &random)
        convH = NormalizedConv2D(n, 4 * n, kernelSize: filterSize, layerNormShape: layerNormShape, using: &random)
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        prefixed("conv_x", convX) + prefixed("conv_h", convH)
    }

    /// Where the width N appears in each convolution's channels (for `WidthGrowth`); `input` is
    /// what x is: the frame's channels in layer 0, the layer below's hidden state otherwise.
    func channelLayouts(input: ChannelBlock) -> [String: ChannelLayout] {
        convolutionLayouts([
            ("conv_x.0", convX.convolution, .init(output: .gates(4), input: [input])),
            ("conv_h.0", convH.convolution, .init(output: .gates(4), input: [.width])),
        ])
    }

    /// One step. Returns the new state and the output gate `o`.
    public func callAsFunction(_ x: Variable, _ state: State) -> (State, outputGate: Variable) {
        let xg = chunk(convX(x), 4, axis: 1)
        let hg = chunk(convH(state.hidden), 4, axis: 1)

        let i = sigmoid(xg[0] + hg[0])
        let f = sigmoid(xg[1] + hg[1])
        let g = tanh(xg[2] + hg[2])
        let o = sigmoid(xg[3] + hg[3])
        let c = f * state.cell + i * g
        let h = o * tanh(c)
        return (State(hidden: h, cell: c), o)
    }
}
