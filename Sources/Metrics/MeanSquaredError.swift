/// Σ over pixels and channels of (t − p̂)² (SPEC §9: a per-frame sum, not a mean).
public struct MeanSquaredError: FrameMetric {
    public init() {}
    public var name: String { "MSE" }
    public func value(of frame: FramePair) -> Double { frame.squaredErrorSum }
}
