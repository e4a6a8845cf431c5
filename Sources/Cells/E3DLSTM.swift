import Engine
import Layers

/// E3D-LSTM (Wang et al. 2019) as OpenSTL implements it, with its global-memory defect corrected
/// (fixture `e3dlstm_small`, `semantics`; SPEC §6).
///
/// - Layer 0 sees a window of two frames `[B, Cp, 2, h, w]`: the previous step's input and the
///   current one (zero before the first).
/// - Layers are `E3DLSTMCell`s on windowed states `[B, N, 2, h, w]`; each keeps the history of
///   its cell states for the recall attention.
/// - The global memory GM zig-zags: layer 0 → 1 → … → L−1 within a step, and from the top layer
///   to layer 0 at the next step; it starts at zero.
/// - `conv_last`: Conv3d N → Cp, kernel (2, 1, 1), stride (2, 1, 1), no bias, folds the window
///   into the predicted frame.
///
/// `passesNewGlobalMemory = false` reproduces OpenSTL unchanged (fixture
/// `e3dlstm_small_openstl_asis`): every cell passes on the global memory it received, which
/// therefore stays zero, while the GM′ it computes is still used inside the cell. For
/// reference-compatibility only; the paper (and the default) passes GM′ on. `recallRows`:
/// how RECALL reads the states (`Recall.Rows`: OpenSTL's flat rows by default, or the paper's
/// per-position channel vectors).
///
/// Official names: `cell_list.l.*` (see `E3DLSTMCell`), `conv_last.weight` `[Cp, N, 2, 1, 1]`.
/// The E3D-LSTM training loss is MSE + L1 (`l1PlusL2Loss`).
public final class E3DLSTMBackbone: Backbone {
    public let hiddenChannels: [Int]
    public let frameChannels: Int
    public let passesNewGlobalMemory: Bool
    let cells: [E3DLSTMCell]
    let outputConvolution: Conv3D

    public var hiddenLayout: HiddenLayout { .window(length: E3DLSTMCell.windowLength) }

    public struct State {
        public internal(set) var layers: [E3DLSTMCell.State]
        /// The zig-zag global memory: the last one any layer passed on.
        public internal(set) var globalMemory: Variable
        /// The previous step's layer-0 frame, the older half of the next window.
        public internal(set) var previousFrame: Variable
    }

    /// `height × width`: the patch-space frame size (the cells' LayerNorm shape). `filterSize`:
    /// spatial kernel of the gate convolutions (OpenSTL: 5, whatever its configured filter size).
    public init(frameChannels: Int, hiddenChannels: [Int], height: Int, width: Int, filterSize: Int = 5,
                passesNewGlobalMemory: Bool = true, recallRows: Recall.Rows = .openstl,
                using random: inout RandomGenerator) {
        precondition(!hiddenChannels.isEmpty && hiddenChannels.allSatisfy { $0 == hiddenChannels[0] },
                     "E3DLSTM: the zig-zag global memory needs equal layer widths, got \(hiddenChannels)")
        self.hiddenChannels = hiddenChannels
        self.frameChannels = frameChannels
        self.passesNewGlobalMemory = passesNewGlobalMemory
        cells = hiddenChannels.indices.map { layer in
            E3DLSTMCell(inputChannels: layer == 0 ? frameChannels : hiddenChannels[layer - 1],
                        hiddenChannels: hiddenChannels[layer], height: height, width: width,
                        filterSize: filterSize, recallRows: recallRows, using: &random)
        }
        outputConvolution = Conv3D(hiddenChannels.last!, frameChannels,
                                   kernelSize: (E3DLSTMCell.windowLength, 1, 1),
                                   stride: (E3DLSTMCell.windowLength, 1, 1), bias: false, using: &random)
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        cellListParameters(cells, outputConvolution: outputConvolution)
    }

    public func initialState(batch: Int, height: Int, width: Int) -> State {
        let layers = hiddenChannels.map {
            E3DLSTMCell.State.zeros(batch: batch, channels: $0, height: height, width: width)
        }
        return State(layers: layers, globalMemory: layers[0].cell,
                     previousFrame: Variable(Tensor(zeros: [batch, frameChannels, height, width])))
    }

    /// The window `[net_{t−1}, net_t]` along a new depth axis.
    public func layerZeroInput(frame: Variable, state: inout State) -> Variable {
        defer { state.previousFrame = frame }
        return stack([state.previousFrame, frame], axis: 2)
    }

    public func step(layer: Int, input: Variable, state: inout State) -> (hidden: Variable, outputGate: Variable?) {
        let (next, newGlobalMemory, outputGate) = cells[layer](
            input, state.layers[layer], globalMemory: state.globalMemory)
        state.layers[layer] = next
        if passesNewGlobalMemory { state.globalMemory = newGlobalMemory }
        return (next.hidden, outputGate)
    }

    public func replaceHidden(layer: Int, with hidden: Variable, state: inout State) {
        state.layers[layer].hidden = hidden
    }

    public func frame(fromTopHidden hidden: Variable) -> Variable {
        let folded = outputConvolution(hidden)                       // [B, Cp, 1, h, w]
        return folded.reshaped([folded.shape[0], folded.shape[1], folded.shape[3], folded.shape[4]])
    }
}
