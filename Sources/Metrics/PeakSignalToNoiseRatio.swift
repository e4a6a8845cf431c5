/// 10·log10(1 / mean squared error) in dB, capped at `PixelMetrics.psnrCap`.
public struct PeakSignalToNoiseRatio: FrameMetric {
    public init() {}
    public var name: String { "PSNR" }
    public var title: String { "PSNR (dB)" }
    public var higherIsBetter: Bool { true }
    public func value(of frame: FramePair) -> Double {
        PixelMetrics.psnr(meanSquaredError: frame.squaredErrorSum / Double(frame.count))
    }
}
