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

    /// One step. Returns the new state and the output gate `o`.
    public func callAsFunction(_ x: Variable, _ state: State) -> (State, outputGate: Variable) {
        let xg = chunk(convX(x), 7, axis: 1)
        let hg = chunk(convH(state.hidden), 4, axis: 1)
        let mg = chunk(convM(state.memory), 3, axis: 1)

        let i = sigmoid(xg[0] + hg[0])
        let f = sigmoid(xg[1] + hg[1] + 1)
        let g = tanh(xg[2] + hg[2])
        let c = f * state.cell + i * g

        let iPrime = sigmoid(xg[3] + mg[0])
        let fPrime = sigmoid(xg[4] + mg[1] + 1)
        let gPrime = tanh(xg[5] + mg[2])
        let m = fPrime * state.memory + iPrime * gPrime

        let memory = concat([c, m], axis: 1)
        let o = sigmoid(xg[6] + hg[3] + convO(memory))
        let h = o * tanh(convLast(memory))
        return (State(hidden: h, cell: c, memory: m), o)
    }
}
