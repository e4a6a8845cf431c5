/// The 8-bit SSIM of scikit-image (`StructuralSimilarity`), averaged over channels.
public struct StructuralSimilarityMetric: FrameMetric {
    public init() {}
    public var name: String { "SSIM" }
    public var digits: Int { 4 }
    public var higherIsBetter: Bool { true }
    public func value(of frame: FramePair) -> Double {
        var total = 0.0
        for channel in 0..<frame.channels {
            let bytes = frame.quantized(channel: channel)
            total += StructuralSimilarity.meanSSIM(bytes.truth, bytes.prediction, height: frame.height,
                                                   width: frame.width, scratch: frame.ssimScratch)
        }
        return total / Double(frame.channels)
    }
}
