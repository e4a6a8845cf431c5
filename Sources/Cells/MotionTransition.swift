import Engine
import Layers

/// What MotionRNN puts between layer l and l+1 (SPEC §4): encode the hidden state to half
/// resolution, run the MotionGRU on it, decode back and gate the result into the hidden state.
/// Official names: `enc_list.l`, `motion_list.l`, `dec_list.l`, `gate_list.l`.
///
/// On a windowed hidden state `[B, N, D, h, w]` (E3D-LSTM, paper §3.3: the encoder and decoder
/// fold the time window) the same names hold 3-D modules and the MotionGRU runs unchanged in 2-D:
/// - `enc_list.l`: Conv3d N → N/4, kernel (D, k, k), stride (1, 2, 2), padding (0, k/2, k/2),
///   bias: folds the window (depth D → 1), squeezed to `[B, N/4, h/2, w/2]`;
/// - `dec_list.l`: ConvTranspose2d N/4 → D·N (kernel 4, stride 2, padding 1, bias), its channels
///   read as `[N, D]` (channel n·D + d → hidden channel n at window position d): unfolds the window;
/// - `gate_list.l`: Conv3d 2N → N, kernel (D, k, k), padding (0, k/2, k/2), bias: one gate slice,
///   used at every window position (broadcast), E3D-LSTM's copy-to-all-positions convention.
public final class MotionTransition: Layer {
    let encoder: any UnaryModule   // N → N/4, k×k, stride 2 (planar) / (D,k,k), stride (1,2,2)
    public let motionGRU: MotionGRU
    let decoder: any UnaryModule   // N/4 → N (planar) / D·N, kernel 4, stride 2, padding 1
    let gate: any UnaryModule      // [Hd, H] → N, k×k (planar) / (D,k,k) with one output slice

    /// Motion filter F and trend D `[B, 18, h/2, w/2]` of this transition.
    public struct State {
        public var filter: Variable
        public var trend: Variable
    }

    public init(channels n: Int, filterSize k: Int, layout: HiddenLayout = .planar, alpha: Float,
                transient: Bool, trend: Bool, bound: Float? = nil, using random: inout RandomGenerator) {
        precondition(n % 4 == 0, "MotionTransition: hidden channels \(n) must be divisible by 4")
        switch layout {
        case .planar:
            encoder = Conv2D(n, n / 4, kernelSize: k, stride: 2, bias: true, using: &random)
        case .window(let length):
            encoder = Conv3D(n, n / 4, kernelSize: (length, k, k), stride: (1, 2, 2),
                             padding: (0, k / 2, k / 2), bias: true, using: &random)
        }
        motionGRU = MotionGRU(channels: n / 4, alpha: alpha, transient: transient, trend: trend, bound: bound,
                              using: &random)
        switch layout {
        case .planar:
            decoder = ConvTranspose2D(n / 4, n, kernelSize: 4, stride: 2, padding: 1, bias: true, using: &random)
            gate = Conv2D(2 * n, n, kernelSize: k, bias: true, using: &random)
        case .window(let length):
            decoder = ConvTranspose2D(n / 4, length * n, kernelSize: 4, stride: 2, padding: 1, bias: true,
                                      using: &random)
            gate = Conv3D(2 * n, n, kernelSize: (length, k, k), padding: (0, k / 2, k / 2), bias: true,
                          using: &random)
        }
    }

    /// The parameters under their official list names for transition `index`.
    public func namedParameters(index: Int) -> [(name: String, parameter: Variable)] {
        prefixed("enc_list.\(index)", encoder) + prefixed("motion_list.\(index)", motionGRU)
            + prefixed("dec_list.\(index)", decoder) + prefixed("gate_list.\(index)", gate)
    }

    public var namedParameters: [(name: String, parameter: Variable)] { namedParameters(index: 0) }

    /// The channel layouts (for `WidthGrowth`) under the official names of transition `index`;
    /// none on windowed states, whose decoder folds the window into its channels.
    public func channelLayouts(index: Int) -> [String: ChannelLayout] {
        guard encoder is Conv2D else { return [:] }
        return convolutionLayouts([
            ("enc_list.\(index)", encoder, .init(output: [.quarterWidth], input: [.width])),
            ("dec_list.\(index)", decoder, .init(output: [.width], input: [.quarterWidth], transposed: true)),
            ("gate_list.\(index)", gate, .init(output: [.width], input: [.width, .width])),   // [decoded, H]
        ]).merging(prefixedLayouts("motion_list.\(index)", motionGRU.channelLayouts)) { $1 }
    }

    /// Zero F and D for hidden states of `height × width` (even sizes: the encoder halves them).
    public static func initialState(batch: Int, height: Int, width: Int) -> State {
        precondition(height % 2 == 0 && width % 2 == 0,
                     "MotionRNN: the hidden state's size \(height)×\(width) must be even (the MotionGRU works at half resolution)")
        let zeros = Variable(Tensor(zeros: [batch, MotionGRU.offsetChannels, height / 2, width / 2]))
        return State(filter: zeros, trend: zeros)
    }

    /// Returns the motion-corrected hidden state, updating F and D.
    /// The reshapes are no-ops on planar states; on windowed ones they squeeze the folded
    /// window and unfold the decoder's D·N channels into `[N, D]`.
    public func callAsFunction(_ hidden: Variable, state: inout State) -> Variable {
        let encoded = encoder(hidden)
        let (warped, filter, trend) = motionGRU(
            encoded.reshaped([encoded.shape[0], encoded.shape[1]] + encoded.shape.suffix(2)),
            previousFilter: state.filter, previousTrend: state.trend)
        state = State(filter: filter, trend: trend)
        let decoded = decoder(warped).reshaped(hidden.shape)
        // g = σ(gate([decoded, H])), result g ⊙ decoded + (1 − g) ⊙ H: one fused pass on planar
        // states; on windowed ones the gate's single slice broadcasts over the window.
        let gatePre = gate(concat([decoded, hidden], axis: 1))
        if gatePre.shape == hidden.shape { return gatedBlend(gatePre, decoded, hidden) }
        let g = sigmoid(gatePre)
        return g * decoded + (1 - g) * hidden
    }
}
