import Engine
import Layers

/// OpenSTL's Eidetic 3D LSTM cell, with the global memory it computes passed on (fixture
/// `e3dlstm_small`, `semantics.cell`). States are windows `[B, N, 2, h, w]` (depth 0 = older).
///
/// Every gate convolution is OpenSTL's `tf_Conv3d`: a Conv3d with kernel (2, k, k), no depth
/// padding, spatial padding k/2, no bias, over the window: it yields ONE depth slice, which
/// OpenSTL copies to both window positions. Here the gates stay one slice thick and broadcasting
/// does that copy where they meet window-varying states (same values, half the gate arithmetic);
/// states that leave the cell (GM′, the output gate) are copied explicitly.
///
/// Official names: `conv_x.0.conv3d.weight` (in → 7N), `conv_h.0.conv3d.weight` (N → 4N),
/// `conv_gm.0.conv3d.weight` (N → 4N), `conv_new_cell.0.conv3d.weight` (N → N),
/// `conv_new_gm.0.conv3d.weight` (N → N), `conv_last.conv3d.weight` (2N → N, 1×1×1, keeps the
/// window), `_norm_c_t.weight/.bias` (LayerNorm over `[N, 2, h, w]`, always on).
public final class E3DLSTMCell: Layer {
    public static let windowLength = 2
    public let hiddenChannels: Int
    let convX: Conv3D         // x  → i, g, r, o, i′, g′, f′
    let convH: Conv3D         // H  → i, g, r, o
    let convGM: Conv3D        // GM → i_m, f_m, g_m, m_m
    let convNewCell: Conv3D   // C′ → o
    let convNewGM: Conv3D     // GM′ → o
    let convLast: Conv3D      // [C′, GM′] → H′ (1×1×1)
    let cellNorm: LayerNorm   // over C + RECALL
    /// How RECALL reads states (`Recall.Rows`; OpenSTL's by default).
    public let recallRows: Recall.Rows

    public struct State {
        public var hidden: Variable
        public var cell: Variable
        /// Every cell state this layer has held, the zero initial one first, as recall rows
        /// `[B, J·R, N]` (`Recall`). Not detached: gradients reach past cell states through it.
        public var history: Variable

        public init(hidden: Variable, cell: Variable, history: Variable) {
            self.hidden = hidden
            self.cell = cell
            self.history = history
        }

        /// Zero H and C `[B, N, 2, h, w]`; the history holds the zero C as its one entry (all
        /// zero, whichever way RECALL reads rows).
        public static func zeros(batch: Int, channels: Int, height: Int, width: Int) -> State {
            let zero = Variable(Tensor(zeros: [batch, channels, E3DLSTMCell.windowLength, height, width]))
            return State(hidden: zero, cell: zero, history: Recall.rows(zero))
        }
    }

    /// `height × width`: the cell's spatial size (the LayerNorm's shape); `filterSize` the
    /// spatial kernel of the gate convolutions (OpenSTL hard-codes 5).
    public init(inputChannels: Int, hiddenChannels n: Int, height: Int, width: Int, filterSize k: Int = 5,
                recallRows: Recall.Rows = .openstl, using random: inout RandomGenerator) {
        hiddenChannels = n
        self.recallRows = recallRows
        func gateConvolution(_ inputs: Int, _ outputs: Int) -> Conv3D {
            Conv3D(inputs, outputs, kernelSize: (Self.windowLength, k, k), padding: (0, k / 2, k / 2),
                   bias: false, using: &random)
        }
        cellNorm = LayerNorm(normalizedShape: [n, Self.windowLength, height, width])
        convX = gateConvolution(inputChannels, 7 * n)
        convH = gateConvolution(n, 4 * n)
        convGM = gateConvolution(n, 4 * n)
        convNewCell = gateConvolution(n, n)
        convNewGM = gateConvolution(n, n)
        convLast = Conv3D(2 * n, n, kernelSize: (1, 1, 1), bias: false, using: &random)
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        prefixed("_norm_c_t", cellNorm) + prefixed("conv_x.0.conv3d", convX)
            + prefixed("conv_h.0.conv3d", convH) + prefixed("conv_gm.0.conv3d", convGM)
            + prefixed("conv_new_cell.0.conv3d", convNewCell) + prefixed("conv_new_gm.0.conv3d", convNewGM)
            + prefixed("conv_last.conv3d", convLast)
    }

    /// One step on the window input `x [B, in, 2, h, w]` with the incoming global memory.
    /// Returns the new state, the new global memory GM′ and the output gate σ(gate) (both
    /// `[B, N, 2, h, w]`).
    public func callAsFunction(_ x: Variable, _ state: State, globalMemory: Variable)
        -> (State, newGlobalMemory: Variable, outputGate: Variable)
    {
        let xg = chunk(convX(x), 7, axis: 1)               // one window slice each
        let hg = chunk(convH(state.hidden), 4, axis: 1)

        let i = sigmoid(xg[0] + hg[0])
        let g = tanh(xg[1] + hg[1])
        let r = sigmoid(xg[2] + hg[2])
        let c = cellNorm(state.cell + recall(Self.copiedToWindow(r), memory: state.history, rows: recallRows)) + i * g

        let mg = chunk(convGM(globalMemory), 4, axis: 1)
        let iPrime = sigmoid(xg[4] + mg[0])
        let gPrime = tanh(xg[5] + mg[2])
        let fPrime = sigmoid(xg[6] + mg[1] + 1)
        let newGlobalMemory = Self.copiedToWindow(fPrime * tanh(mg[3]) + iPrime * gPrime)

        // OpenSTL (like the TensorFlow release) squashes the gate with tanh before the sigmoid.
        let o = sigmoid(tanh(xg[3] + hg[3] + convNewCell(c) + convNewGM(newGlobalMemory)))
        let h = tanh(convLast(concat([c, newGlobalMemory], axis: 1))) * o

        let next = State(hidden: h, cell: c, history: Recall.appending(c, to: state.history, recallRows))
        return (next, newGlobalMemory, Self.copiedToWindow(o))
    }

    /// A one-slice tensor `[B, C, 1, h, w]` copied to every window position.
    static func copiedToWindow(_ slice: Variable) -> Variable {
        concat([Variable](repeating: slice, count: windowLength), axis: 2)
    }
}
