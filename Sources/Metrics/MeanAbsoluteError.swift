/// Σ over pixels and channels of |t − p̂| (SPEC §9: a per-frame sum, not a mean).
public struct MeanAbsoluteError: FrameMetric {
    public init() {}
    public var name: String { "MAE" }
    public func value(of frame: FramePair) -> Double { frame.absoluteErrorSum }
}
