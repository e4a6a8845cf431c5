import Engine
import Layers

/// The MotionGRU of SPEC §4 on an already encoded state: a ConvGRU over motion offsets learns the
/// transient variation, a momentum update accumulates the trend, and their sum (the motion
/// filter) warps the state. Official names: `update`, `reset`, `output` (3×3 convs with bias,
/// `in + 18 → 18`) and `warp.*`.
public final class MotionGRU: Layer {
    /// 2·k² channels for the k = 3 neighbourhood: 9 row offsets, then 9 column offsets.
    public static let offsetChannels = 18

    let update: Conv2D
    let reset: Conv2D
    let output: Conv2D
    let warp: Warp
    /// Momentum step of the trend: D = D_prev + α (F_prev − D_prev). The paper uses 0.5.
    public let alpha: Float
    /// Ablation switches (paper Table 3): without the transient branch F = D; without the trend
    /// F = F' and D stays zero. (From zero states, "trend only" keeps F at zero: D only ever
    /// accumulates F, so the warp samples the undisplaced neighbourhood — faithful to the
    /// equations, and why the paper finds both parts necessary.)
    public let usesTransient: Bool
    public let usesTrend: Bool
    /// Not in the paper (nil there): the filter becomes `B·tanh(F/B)`, within ±B grid cells.
    /// With the update gate closed, SPEC §4's recurrence grows F and D by 1 + √α per step and
    /// the warp ends up sampling only its zero padding; bounded, D (a running mean of the
    /// bounded F) and F' (a gated mix of tanh and F) stay within ±max(B, 1) as well.
    public let bound: Float?

    public init(channels: Int, alpha: Float = 0.5, transient: Bool = true, trend: Bool = true,
                bound: Float? = nil, using random: inout RandomGenerator) {
        precondition(bound.map { $0 > 0 && $0.isFinite } ?? true, "MotionGRU: bound \(bound!) must be positive")
        let gateInput = channels + Self.offsetChannels
        update = Conv2D(gateInput, Self.offsetChannels, kernelSize: 3, bias: true, using: &random)
        reset = Conv2D(gateInput, Self.offsetChannels, kernelSize: 3, bias: true, using: &random)
        output = Conv2D(gateInput, Self.offsetChannels, kernelSize: 3, bias: true, using: &random)
        warp = Warp(inputChannels: channels, outputChannels: channels, using: &random)
        self.alpha = alpha
        usesTransient = transient
        usesTrend = trend
        self.bound = bound
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        prefixed("update", update) + prefixed("reset", reset) + prefixed("output", output)
            + prefixed("warp", warp)
    }

    /// `encoded [B, C, h, w]`, `previousFilter` F_{t−1} and `previousTrend` D_{t−1} `[B, 18, h, w]`.
    /// Returns the warped state, the new motion filter F and the new trend D.
    public func callAsFunction(_ encoded: Variable, previousFilter: Variable, previousTrend: Variable)
        -> (warped: Variable, filter: Variable, trend: Variable)
    {
        let trend = usesTrend ? previousTrend + alpha * (previousFilter - previousTrend) : previousTrend
        var filter: Variable
        if usesTransient {
            let transient = transientVariation(encoded, previousFilter: previousFilter)
            filter = usesTrend ? transient + trend : transient
        } else {
            filter = trend
        }
        if let bound { filter = bound * tanh(filter * (1 / bound)) }
        return (warp(encoded, motionFilter: filter), filter, trend)
    }

    /// The ConvGRU over offsets (paper Eq. 2): F' = u ⊙ z + (1 − u) ⊙ F_prev.
    func transientVariation(_ encoded: Variable, previousFilter: Variable) -> Variable {
        let gateInput = concat([encoded, previousFilter], axis: 1)
        let u = sigmoid(update(gateInput))
        let r = sigmoid(reset(gateInput))
        let z = tanh(output(concat([encoded, r * previousFilter], axis: 1)))
        return u * z + (1 - u) * previousFilter
    }
}

extension MotionGRU: ChannelLayoutDescribing {
    /// Its gates read [encoded state (N/4 of the layer width), 18 offsets] and write 18 offsets.
    public var channelLayouts: [String: ChannelLayout] {
        let gate = ChannelLayout(output: [.fixed(Self.offsetChannels)], input: [.quarterWidth, .fixed(Self.offsetChannels)])
        return convolutionLayouts([("update", update, gate), ("reset", reset, gate), ("output", output, gate)])
            .merging(prefixedLayouts("warp", warp.channelLayouts)) { $1 }
    }
}
