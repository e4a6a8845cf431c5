import Engine
import Layers

/// PredRNN's spatiotemporal LSTM (SPEC §3). MotionRNN adds its highway term outside the cell
/// (`motionHighway`), from the output gate returned here. Official parameter names: `conv_x`, `conv_h`, `conv_m`, `conv_o` (each `.0.weight`,
/// plus `.1.weight/.1.bias` with layer norm), `conv_last.weight`.
public final class SpatioTemporalLSTMCell: Layer {
    public let hiddenChannels: Int
    let convX: NormalizedConv2D   // x → i, f, g, i', f', g', o
    let convH: NormalizedConv2D   // H → i, f, g, o
    let convM: NormalizedConv2D   // M → i', f', g'
    let convO: NormalizedConv2D   // [C', M'] → o
    let convLast: Conv2D          // [C', M'] → H' (1×1)

    public struct State {
        public var hidden: Variable
        public var cell: Variable
        public var memory: Variable

        public init(hidden: Variable, cell: Variable, memory: Variable) {
            self.hidden = hidden
            self.cell = cell
            self.memory = memory
        }
    }

    /// `layerNormShape` (the cell's spatial size) turns on the official `layer_norm = 1` variant.
    public init(inputChannels: Int, hiddenChannels n: Int, filterSize: Int,
                layerNormShape: (height: Int, width: Int)?, using random: inout RandomGenerator) {
        hiddenChannels = n
        convX = NormalizedConv2D(inputChannels, 7 * n, kernelSize: filterSize, layerNormShape: layerNormShape, using: &random)
        convH = NormalizedConv2D(n, 4 * n, kernelSize: filterSize, layerNormShape: layerNormShape, using: &random)
        convM = NormalizedConv2D(n, 3 * n, kernelSize: filterSize, layerNormShape: layerNormShape, using: &random)
        convO = NormalizedConv2D(2 * n, n, kernelSize: filterSize, layerNormShape: layerNormShape, using: &random)
        convLast = Conv2D(2 * n, n, kernelSize: 1, bias: false, using: &random)
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        prefixed("conv_x", convX) + prefixed("conv_h", convH) + prefixed("conv_m", convM)
            + prefixed("conv_o", convO) + prefixed("conv_last", convLast)
    }

    /// Where the width N appears in each convolution's channels (for `WidthGrowth`); `input` is
    /// what X is: the frame's channels in layer 0, the layer below's hidden state otherwise.
    func channelLayouts(input: ChannelBlock) -> [String: ChannelLayout] {
        convolutionLayouts([
            ("conv_x.0", convX.convolution, .init(output: .gates(7), input: [input])),
            ("conv_h.0", convH.convolution, .init(output: .gates(4), input: [.width])),
            ("conv_m.0", convM.convolution, .init(output: .gates(3), input: [.width])),
            ("conv_o.0", convO.convolution, .init(output: [.width], input: .gates(2))),   // [C', M']
            ("conv_last", convLast, .init(output: [.width], input: .gates(2))),
        ])
    }

    /// One step. Returns the new state and the output gate `o`.
    ///
    ///     [x_i, x_f, x_g, x_i', x_f', x_g', x_o] = conv_x(X),  [h_i, h_f, h_g, h_o] = conv_h(H),
    ///     [m_i', m_f', m_g'] = conv_m(M)
    ///     i = σ(x_i + h_i),  f = σ(x_f + h_f + 1),  g = tanh(x_g + h_g),  C' = f ⊙ C + i ⊙ g
    ///     i' = σ(x_i' + m_i'),  f' = σ(x_f' + m_f' + 1),  g' = tanh(x_g' + m_g'),  M' = f' ⊙ M + i' ⊙ g'
    ///     o = σ(x_o + h_o + conv_o([C', M'])),  H' = o ⊙ tanh(conv_last([C', M']))
    ///
    /// The element-wise parts run as two fused passes (`spatioTemporalMemories`,
    /// `spatioTemporalOutput`) that read the gate slabs of the conv outputs in place.
    public func callAsFunction(_ x: Variable, _ state: State) -> (State, outputGate: Variable) {
        let (next, outputGate, _) = step(x, state, withIncrements: false)
        return (next, outputGate)
    }

    /// One step that also returns the memories' increments, ΔC = i ⊙ g and ΔM = i' ⊙ g'
    /// (PredRNN-v2's decoupling loss compares them), recomputed from the gates' pre-activations,
    /// which the fused passes do not keep.
    public func stepWithIncrements(_ x: Variable, _ state: State)
        -> (State, outputGate: Variable, increments: (cell: Variable, memory: Variable))
    {
        let (next, outputGate, increments) = step(x, state, withIncrements: true)
        return (next, outputGate, increments!)
    }

    private func step(_ x: Variable, _ state: State, withIncrements: Bool)
        -> (State, Variable, (cell: Variable, memory: Variable)?)
    {
        let n = hiddenChannels
        let xConv = convX(x), hConv = convH(state.hidden), mConv = convM(state.memory)
        let memories = spatioTemporalMemories(x: xConv, h: hConv, m: mConv,
                                              cell: state.cell, memory: state.memory)   // [C', M']
        let output = spatioTemporalOutput(x: xConv, h: hConv, oConv: convO(memories),
                                          last: convLast(memories))                    // [H', o]
        let cm = split(memories, sizes: [n, n], axis: 1)
        let ho = split(output, sizes: [n, n], axis: 1)
        var increments: (cell: Variable, memory: Variable)?
        if withIncrements {
            let xs = chunk(xConv, 7, axis: 1), hs = chunk(hConv, 4, axis: 1), ms = chunk(mConv, 3, axis: 1)
            increments = (cell: sigmoid(xs[0] + hs[0]) * tanh(xs[2] + hs[2]),
                          memory: sigmoid(xs[3] + ms[0]) * tanh(xs[5] + ms[2]))
        }
        return (State(hidden: ho[0], cell: cm[0], memory: cm[1]), ho[1], increments)
    }
}
