/// A per-frame metric: its value for one (truth, prediction) frame pair, and how reports show
/// it. The test metrics are the ones in `FrameMetrics.all`; a new metric is one type conforming
/// to this protocol, added to that list. Values are averaged over sequences per predicted frame.
///
/// `value(of:)` is called concurrently for different frames (each thread with its own
/// `FramePair`), so a metric holds no mutable state.
public protocol FrameMetric: Sendable {
    /// The short name: table and plot label, and (lowercased) the key in metrics.json ("MSE").
    var name: String { get }
    /// The Markdown table's column title ("PSNR (dB)").
    var title: String { get }
    /// Decimals shown in tables.
    var digits: Int { get }
    var higherIsBetter: Bool { get }
    func value(of frame: FramePair) -> Double
}

extension FrameMetric {
    public var title: String { name }
    public var digits: Int { 2 }
    public var higherIsBetter: Bool { false }
}

/// One frame pair as the metrics see it: `height · width · channels` contiguous values each,
/// channels last; the prediction already clipped to [0, 1] (NaN kept, so it surfaces). The error
/// sums every pixel metric starts from are computed once, during the clip.
public struct FramePair {
    public let truth: UnsafePointer<Float>
    /// The prediction clipped to [0, 1].
    public let prediction: UnsafePointer<Float>
    public let height: Int, width: Int, channels: Int
    /// Σ (t − p̂)² and Σ |t − p̂| over pixels and channels.
    public let squaredErrorSum: Double, absoluteErrorSum: Double
    let scorer: FrameScorer

    public var count: Int { height * width * channels }

    /// Channel `channel` of truth and prediction as 8-bit values (0…255 stored as Float), in the
    /// scorer's buffers: valid until the next call on this frame pair.
    public func quantized(channel: Int) -> (truth: UnsafePointer<Float>, prediction: UnsafePointer<Float>) {
        let pixels = height * width
        PixelMetrics.quantize(truth + channel, stride: channels, into: scorer.truthBytes, count: pixels)
        PixelMetrics.quantize(prediction + channel, stride: channels, into: scorer.predictionBytes, count: pixels)
        return (UnsafePointer(scorer.truthBytes), UnsafePointer(scorer.predictionBytes))
    }

    /// The scorer's SSIM scratch (`StructuralSimilarity.scratchCount` Floats).
    var ssimScratch: UnsafeMutablePointer<Float> { scorer.ssimScratch }
}
