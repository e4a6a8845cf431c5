import Engine
import Layers

/// What MotionRNN puts between layer l and l+1 (SPEC §4): encode the hidden state to half
/// resolution, run the MotionGRU on it, decode back and gate the result into the hidden state.
/// Official names: `enc_list.l`, `motion_list.l`, `dec_list.l`, `gate_list.l`.
public final class MotionTransition: Layer {
    let encoder: Conv2D            // N → N/4, k×k, stride 2
    public let motionGRU: MotionGRU
    let decoder: ConvTranspose2D   // N/4 → N, kernel 4, stride 2, padding 1
    let gate: Conv2D               // [Hd, H] → N, k×k

    /// Motion filter F and trend D `[B, 18, h/2, w/2]` of this transition.
    public struct State {
        public var filter: Variable
        public var trend: Variable
    }

    public init(channels n: Int, filterSize: Int, alpha: Float, transient: Bool, trend: Bool,
                using random: inout RandomGenerator) {
        precondition(n % 4 == 0, "MotionTransition: hidden channels \(n) must be divisible by 4")
        encoder = Conv2D(n, n / 4, kernelSize: filterSize, stride: 2, bias: true, using: &random)
        motionGRU = MotionGRU(channels: n / 4, alpha: alpha, transient: transient, trend: trend, using: &random)
        decoder = ConvTranspose2D(n / 4, n, kernelSize: 4, stride: 2, padding: 1, bias: true, using: &random)
        gate = Conv2D(2 * n, n, kernelSize: filterSize, bias: true, using: &random)
    }

    /// The parameters under their official list names for transition `index`.
    public func namedParameters(index: Int) -> [(name: String, parameter: Variable)] {
        prefixed("enc_list.\(index)", encoder) + prefixed("motion_list.\(index)", motionGRU)
            + prefixed("dec_list.\(index)", decoder) + prefixed("gate_list.\(index)", gate)
    }

    public var namedParameters: [(name: String, parameter: Variable)] { namedParameters(index: 0) }

    /// Zero F and D for hidden states of `height × width` (even sizes: the encoder halves them).
    public static func initialState(batch: Int, height: Int, width: Int) -> State {
        precondition(height % 2 == 0 && width % 2 == 0,
                     "MotionRNN: the hidden state's size \(height)×\(width) must be even (the MotionGRU works at half resolution)")
        let zeros = Variable(Tensor(zeros: [batch, MotionGRU.offsetChannels, height / 2, width / 2]))
        return State(filter: zeros, trend: zeros)
    }

    /// Returns the motion-corrected hidden state, updating F and D.
    public func callAsFunction(_ hidden: Variable, state: inout State) -> Variable {
        let (warped, filter, trend) = motionGRU(
            encoder(hidden), previousFilter: state.filter, previousTrend: state.trend)
        state = State(filter: filter, trend: trend)
        let decoded = decoder(warped)
        let g = sigmoid(gate(concat([decoded, hidden], axis: 1)))
        return g * decoded + (1 - g) * hidden
    }
}
