/// The gradient difference loss of one frame (`PixelMetrics.gradientDifference`).
public struct GradientDifference: FrameMetric {
    public init() {}
    public var name: String { "GDL" }
    public func value(of frame: FramePair) -> Double {
        PixelMetrics.gradientDifference(truth: frame.truth, prediction: frame.prediction,
                                        height: frame.height, width: frame.width, channels: frame.channels)
    }
}
