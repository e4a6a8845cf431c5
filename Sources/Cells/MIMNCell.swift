import Engine
import Layers

/// MIM's non-stationary memory cell, MIM-N (Wang et al. 2019, OpenSTL `MIMN`): an LSTM whose
/// forget and input gates also peek at the cell through element-wise weights, and whose output
/// gate peeks at the new cell. MIM runs it on the difference stream H₀(t) − H₀(t−1), and every
/// MIM block runs the same equations as its stationary module MIMS (`MIMBlock`).
///
/// Gate order differs from PredRNN: both convolutions give [i, g, f, o]. Official names:
/// `conv_x_concat.0.weight` (x → 4N), `conv_h_concat.0.weight` (h → 4N), `ct_weight [2N, h, w]`
/// (first N channels weight c for i, last N for f), `oc_weight [N, h, w]`. No biases. OpenSTL's
/// `conv_last` is never used and is left out.
public final class MIMNCell: Layer {
    public let hiddenChannels: Int
    let convX: NormalizedConv2D   // x → i, g, f, o
    let convH: NormalizedConv2D   // h → i, g, f, o
    /// Element-wise cell weights of the input and forget gates `[2N, h, w]`.
    let cellWeight: Variable
    /// Element-wise weight of the new cell in the output gate `[N, h, w]`.
    let outputCellWeight: Variable

    public struct State {
        public var hidden: Variable
        public var cell: Variable

        public init(hidden: Variable, cell: Variable) {
            self.hidden = hidden
            self.cell = cell
        }
    }

    /// `height × width` is the cell's spatial size (the element-wise weights have it).
    /// The element-wise weights start at zero, as in OpenSTL.
    public init(inputChannels: Int, hiddenChannels n: Int, filterSize: Int, height: Int, width: Int,
                using random: inout RandomGenerator) {
        hiddenChannels = n
        convH = NormalizedConv2D(n, 4 * n, kernelSize: filterSize, layerNormShape: nil, using: &random)
        convX = NormalizedConv2D(inputChannels, 4 * n, kernelSize: filterSize, layerNormShape: nil, using: &random)
        cellWeight = Variable(Tensor(zeros: [2 * n, height, width]), requiresGrad: true, name: "ct_weight")
        outputCellWeight = Variable(Tensor(zeros: [n, height, width]), requiresGrad: true, name: "oc_weight")
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        [("ct_weight", cellWeight), ("oc_weight", outputCellWeight)]
            + prefixed("conv_h_concat", convH) + prefixed("conv_x_concat", convX)
    }

    /// The spatial size `(height, width)` the element-wise weights were made for.
    public var spatialShape: (height: Int, width: Int) { (cellWeight.shape[1], cellWeight.shape[2]) }

    /// One step: returns the new hidden state h' and cell c'.
    public func callAsFunction(_ x: Variable, _ state: State) -> State {
        let c = state.cell
        let hg = chunk(convH(state.hidden), 4, axis: 1)   // i_h, g_h, f_h, o_h
        let xg = chunk(convX(x), 4, axis: 1)              // i_x, g_x, f_x, o_x
        let cw = chunk(cellWeight, 2, axis: 0)            // cat[c, c] ⊙ ct_weight, split in two

        let i = sigmoid(hg[0] + c * cw[0] + xg[0])
        let f = sigmoid(hg[2] + c * cw[1] + xg[2] + 1)
        let cNew = f * c + i * tanh(hg[1] + xg[1])
        let h = sigmoid(hg[3] + xg[3] + cNew * outputCellWeight) * tanh(cNew)
        return State(hidden: h, cell: cNew)
    }
}
