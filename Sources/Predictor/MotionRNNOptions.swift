/// Which MotionRNN parts wrap the backbone (paper §3 and the ablation of Table 3).
/// All off is the plain backbone.
public struct MotionRNNOptions: Equatable, Codable, Sendable {
    /// The Motion Highway: `H' + (1 − o) ⊙ H_below` in every layer.
    public var highway: Bool
    /// The MotionGRU's transient-variation branch (a ConvGRU over offsets).
    public var transient: Bool
    /// The MotionGRU's trending momentum.
    public var trend: Bool
    /// Momentum step α of the trend (paper: 0.5).
    public var alpha: Float
    /// Not in the paper: keeps the motion filter within ±`bound` cells of the MotionGRU's grid
    /// (`F = B·tanh((F' + D)/B)`), so that neither it nor the trend (a running mean of it) can
    /// grow without limit. Nil, the default, is the paper's unbounded filter. Absent from the
    /// saved configuration when nil, so files made before it read as they did.
    public var bound: Float?

    public init(highway: Bool, transient: Bool, trend: Bool, alpha: Float = 0.5, bound: Float? = nil) {
        self.highway = highway
        self.transient = transient
        self.trend = trend
        self.alpha = alpha
        self.bound = bound
    }

    /// The full MotionRNN of the paper.
    public static let full = MotionRNNOptions(highway: true, transient: true, trend: true)
    /// The plain backbone.
    public static let none = MotionRNNOptions(highway: false, transient: false, trend: false)

    /// The bound in words, "±2 cells" (nil when unbounded).
    public var boundDescription: String? {
        bound.map { "±\($0 == $0.rounded() ? String(Int($0)) : String($0)) cells" }
    }

    /// Whether a MotionGRU sits between the layers.
    public var usesMotionGRU: Bool { transient || trend }
}
