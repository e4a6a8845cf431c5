import Engine
import Layers

/// A MIM block (Wang et al. 2019, OpenSTL `MIMBlock`), layers ≥ 1 of MIM: an ST-LSTM whose forget
/// path over the temporal cell C is replaced by two cascaded memories — the difference stream D
/// (computed by the MIM-N cells outside) feeds the block's own stationary module MIMS, whose
/// hidden output T replaces f ⊙ C, and whose cell S the block carries on to its next step.
///
/// Gate orders: `conv_s_cc` (M) → [i, g, f, o], `conv_t_cc` (H) → [i, g, o], `conv_x_cc` (x) →
/// [i, g, f, o]. MIMS is `MIMNCell`'s equations with this block's `conv_x_concat`,
/// `conv_h_concat`, `ct_weight`, `oc_weight`. Official names (all `.0.weight`, no biases):
/// `ct_weight`, `oc_weight`, `conv_t_cc`, `conv_s_cc`, `conv_x_cc`, `conv_h_concat`,
/// `conv_x_concat`, and `conv_last.weight` (1×1, 2N → N).
public final class MIMBlock: Layer {
    public let hiddenChannels: Int
    let convT: NormalizedConv2D   // H → i_t, g_t, o_t
    let convS: NormalizedConv2D   // M → i_s, g_s, f_s, o_s
    let convX: NormalizedConv2D   // x → i_x, g_x, f_x, o_x
    /// MIMS: x = D, h = C, c = S.
    let stationary: MIMNCell
    let convLast: Conv2D          // [C', M'] → H' (1×1)

    public struct State {
        public var hidden: Variable
        public var cell: Variable
        public var memory: Variable
        /// S, the cell of the block's MIMS.
        public var stationaryCell: Variable

        public init(hidden: Variable, cell: Variable, memory: Variable, stationaryCell: Variable) {
            self.hidden = hidden
            self.cell = cell
            self.memory = memory
            self.stationaryCell = stationaryCell
        }
    }

    /// `inputChannels`: width of x (the layer below's hidden state); `differenceChannels`: width
    /// of D; `height × width`: the spatial size (MIMS's element-wise weights have it).
    public init(inputChannels: Int, differenceChannels: Int, hiddenChannels n: Int, filterSize: Int,
                height: Int, width: Int, using random: inout RandomGenerator) {
        hiddenChannels = n
        stationary = MIMNCell(inputChannels: differenceChannels, hiddenChannels: n, filterSize: filterSize,
                              height: height, width: width, using: &random)
        convT = NormalizedConv2D(n, 3 * n, kernelSize: filterSize, layerNormShape: nil, using: &random)
        convS = NormalizedConv2D(n, 4 * n, kernelSize: filterSize, layerNormShape: nil, using: &random)
        convX = NormalizedConv2D(inputChannels, 4 * n, kernelSize: filterSize, layerNormShape: nil, using: &random)
        convLast = Conv2D(2 * n, n, kernelSize: 1, bias: false, using: &random)
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        [("ct_weight", stationary.cellWeight), ("oc_weight", stationary.outputCellWeight)]
            + prefixed("conv_t_cc", convT) + prefixed("conv_s_cc", convS) + prefixed("conv_x_cc", convX)
            + prefixed("conv_h_concat", stationary.convH) + prefixed("conv_x_concat", stationary.convX)
            + prefixed("conv_last", convLast)
    }

    /// The spatial size `(height, width)` the element-wise weights were made for.
    public var spatialShape: (height: Int, width: Int) { stationary.spatialShape }

    /// One step on input `x` and difference `difference` (D). Returns the new state and the
    /// output gate `o`.
    public func callAsFunction(_ x: Variable, difference: Variable, _ state: State) -> (State, outputGate: Variable) {
        let sg = chunk(convS(state.memory), 4, axis: 1)   // i_s, g_s, f_s, o_s
        let tg = chunk(convT(state.hidden), 3, axis: 1)   // i_t, g_t, o_t
        let xg = chunk(convX(x), 4, axis: 1)              // i_x, g_x, f_x, o_x

        let i = sigmoid(xg[0] + tg[0])
        let iPrime = sigmoid(xg[0] + sg[0])
        let g = tanh(xg[1] + tg[1])
        let gPrime = tanh(xg[1] + sg[1])
        let fPrime = sigmoid(xg[2] + sg[2] + 1)
        let o = sigmoid(xg[3] + tg[2] + sg[3])

        let m = fPrime * state.memory + iPrime * gPrime
        let mims = stationary(difference, .init(hidden: state.cell, cell: state.stationaryCell))
        let c = mims.hidden + i * g
        let h = o * tanh(convLast(concat([c, m], axis: 1)))
        return (State(hidden: h, cell: c, memory: m, stationaryCell: mims.cell), o)
    }
}
