import Engine
import Layers

/// MIM, Memory In Memory (Wang et al. 2019; the OpenSTL `MIM_Model` with the fixture's
/// correction: every forward starts its MIMS cells S at zero and S carries gradients across steps).
///
/// Layer 0 is a plain ST-LSTM; layers l ≥ 1 are `MIMBlock`s. The spatiotemporal memory M zig-zags
/// as in PredRNN. Beside the stack runs the difference stream: from step 1 on, MIM-N cell j
/// (j = 0 … L−2) takes H₀(t) − H₀(t−1) (j = 0) or MIM-N j−1's new hidden state, and its hidden
/// state is the D of block j+1. At t = 0 no MIM-N runs and every block gets D = 0 (the MIM-N
/// states are still zero then).
///
/// Official names: `stlstm_layer.0.*` (the ST-LSTM: `conv_x`, `conv_h`, `conv_m`, `conv_o`,
/// `conv_last`), `stlstm_layer.l.*` (l ≥ 1, MIM blocks), `stlstm_layer_diff.j.*` (MIM-N; their
/// unused `conv_last` is left out) and `conv_last.weight` (1×1, N → Cp, no bias).
public final class MIMBackbone: Backbone {
    public let hiddenChannels: [Int]
    public let frameChannels: Int
    let bottom: SpatioTemporalLSTMCell
    /// `blocks[l − 1]` is layer l.
    let blocks: [MIMBlock]
    /// `differenceCells[j]` feeds block j + 1.
    let differenceCells: [MIMNCell]
    let outputConvolution: Conv2D

    public struct State {
        var bottom: SpatioTemporalLSTMCell.State
        var blocks: [MIMBlock.State]
        var differences: [MIMNCell.State]
        /// The zig-zag memory: the last M any layer produced.
        var memory: Variable
        /// H₀ as layer 0 carried it into the current step (after MotionRNN's changes), i.e. H₀(t−1).
        var previousBottomHidden: Variable
        /// Steps layer 0 has taken; the difference stream runs from the second on.
        var steps: Int
    }

    /// `height × width`: the patch-space frame size (MIM's element-wise weights have it).
    public init(frameChannels: Int, hiddenChannels: [Int], filterSize: Int, height: Int, width: Int,
                using random: inout RandomGenerator) {
        precondition(hiddenChannels.count >= 2 && hiddenChannels.allSatisfy { $0 == hiddenChannels[0] },
                     "MIM: needs at least 2 layers of equal width (zig-zag memory, difference stream), got \(hiddenChannels)")
        let n = hiddenChannels[0]
        self.hiddenChannels = hiddenChannels
        self.frameChannels = frameChannels
        bottom = SpatioTemporalLSTMCell(inputChannels: frameChannels, hiddenChannels: n, filterSize: filterSize,
                                        layerNormShape: nil, using: &random)
        blocks = hiddenChannels.dropFirst().map { _ in
            MIMBlock(inputChannels: n, differenceChannels: n, hiddenChannels: n, filterSize: filterSize,
                     height: height, width: width, using: &random)
        }
        differenceCells = hiddenChannels.dropFirst().map { _ in
            MIMNCell(inputChannels: n, hiddenChannels: n, filterSize: filterSize,
                     height: height, width: width, using: &random)
        }
        outputConvolution = Conv2D(n, frameChannels, kernelSize: 1, bias: false, using: &random)
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        prefixed("stlstm_layer.0", bottom)
            + blocks.enumerated().flatMap { prefixed("stlstm_layer.\($0.offset + 1)", $0.element) }
            + differenceCells.enumerated().flatMap { prefixed("stlstm_layer_diff.\($0.offset)", $0.element) }
            + prefixed("conv_last", outputConvolution)
    }

    public func initialState(batch: Int, height: Int, width: Int) -> State {
        let expected = blocks[0].spatialShape
        precondition(expected.height == height && expected.width == width,
                     "MIM: frames of \(height)×\(width) (patch space), the model was built for \(expected.height)×\(expected.width)")
        let zeros = Variable(Tensor(zeros: [batch, hiddenChannels[0], height, width]))
        return State(
            bottom: .init(hidden: zeros, cell: zeros, memory: zeros),
            blocks: blocks.map { _ in .init(hidden: zeros, cell: zeros, memory: zeros, stationaryCell: zeros) },
            differences: differenceCells.map { _ in .init(hidden: zeros, cell: zeros) },
            memory: zeros, previousBottomHidden: zeros, steps: 0)
    }

    public func layerZeroInput(frame: Variable, state: inout State) -> Variable { frame }

    public func step(layer: Int, input: Variable, state: inout State) -> (hidden: Variable, outputGate: Variable?) {
        if layer == 0 {
            state.previousBottomHidden = state.bottom.hidden
            state.steps += 1
            var bottomState = state.bottom
            bottomState.memory = state.memory
            let (next, outputGate) = bottom(input, bottomState)
            state.bottom = next
            state.memory = next.memory
            return (next.hidden, outputGate)
        }

        let j = layer - 1
        if state.steps > 1 {
            // H₀ is read from the state: the one layer 0 carries on, MotionRNN's changes included.
            let differenceInput = j == 0
                ? state.bottom.hidden - state.previousBottomHidden
                : state.differences[j - 1].hidden
            state.differences[j] = differenceCells[j](differenceInput, state.differences[j])
        }
        var blockState = state.blocks[j]
        blockState.memory = state.memory
        let (next, outputGate) = blocks[j](input, difference: state.differences[j].hidden, blockState)
        state.blocks[j] = next
        state.memory = next.memory
        return (next.hidden, outputGate)
    }

    public func replaceHidden(layer: Int, with hidden: Variable, state: inout State) {
        if layer == 0 {
            state.bottom.hidden = hidden
        } else {
            state.blocks[layer - 1].hidden = hidden
        }
    }

    public func frame(fromTopHidden hidden: Variable) -> Variable { outputConvolution(hidden) }
}
