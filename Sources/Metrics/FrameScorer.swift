/// Per-frame values of the metrics for one (truth, prediction) frame pair.
public struct FrameScores: Sendable, Equatable {
    /// Σ over pixels and channels of (t − p̂)² and |t − p̂|, p̂ the prediction clipped to [0, 1].
    public var squaredError = 0.0
    public var absoluteError = 0.0
    /// 10·log10(1 / mean squared error), capped at `PixelMetrics.psnrCap`.
    public var psnr = 0.0
    /// Mean over channels of the 8-bit SSIM.
    public var ssim = 0.0
    public var gradientDifference = 0.0

    public init() {}

    /// The first metric, in report order, that is NaN or infinite; nil when all are finite.
    /// (Any NaN input makes MSE NaN, so in practice that is the one named.)
    var firstNonFinite: String? {
        if squaredError.isFinite && absoluteError.isFinite && psnr.isFinite && ssim.isFinite
            && gradientDifference.isFinite { return nil }
        return [("MSE", squaredError), ("MAE", absoluteError), ("PSNR", psnr), ("SSIM", ssim),
                ("GDL", gradientDifference)].first { !$0.1.isFinite }?.0
    }
}

/// Scores frames of one geometry, reusing its scratch buffers (one scorer per thread).
public final class FrameScorer {
    public let height: Int, width: Int, channels: Int
    public let categorical: CategoricalScoring?
    let thresholds: [Float]
    let clipped: UnsafeMutablePointer<Float>
    let truthBytes: UnsafeMutablePointer<Float>, predictionBytes: UnsafeMutablePointer<Float>
    let ssimScratch: UnsafeMutablePointer<Float>

    public init(height: Int, width: Int, channels: Int, categorical: CategoricalScoring?) {
        precondition(height >= StructuralSimilarity.window && width >= StructuralSimilarity.window && channels >= 1,
                     "FrameScorer: frames \(height)×\(width)×\(channels) are smaller than SSIM's 7×7 window")
        self.height = height
        self.width = width
        self.channels = channels
        self.categorical = categorical
        thresholds = categorical?.thresholds.map { Float($0) } ?? []
        let count = height * width * channels
        clipped = .allocate(capacity: count)
        truthBytes = .allocate(capacity: height * width)
        predictionBytes = .allocate(capacity: height * width)
        ssimScratch = .allocate(capacity: StructuralSimilarity.scratchCount(height: height, width: width))
    }

    deinit {
        clipped.deallocate()
        truthBytes.deallocate()
        predictionBytes.deallocate()
        ssimScratch.deallocate()
    }

    /// Number of Ints `score` adds into `counts`: hits, misses, false alarms per threshold.
    public var countsPerFrame: Int { 3 * thresholds.count }

    /// Scores the frame at `truth` / `prediction` (height·width·channels values each, raw: the
    /// prediction is clipped here) and adds its CSI/FAR events into `counts`.
    public func score(truth: UnsafePointer<Float>, prediction: UnsafePointer<Float>,
                      counts: UnsafeMutablePointer<Int>) -> FrameScores {
        let pixels = height * width, count = pixels * channels
        var scores = FrameScores()
        let sums = PixelMetrics.clipAndErrorSums(truth: truth, prediction: prediction, clipped: clipped,
                                                 count: count)
        scores.squaredError = sums.squared
        scores.absoluteError = sums.absolute
        scores.psnr = PixelMetrics.psnr(meanSquaredError: sums.squared / Double(count))
        let p = UnsafePointer(clipped)
        scores.gradientDifference = PixelMetrics.gradientDifference(
            truth: truth, prediction: p, height: height, width: width, channels: channels)

        let rule = categorical?.rule
        var ssimTotal = 0.0
        for c in 0..<channels {
            PixelMetrics.quantize(truth + c, stride: channels, into: truthBytes, count: pixels)
            PixelMetrics.quantize(p + c, stride: channels, into: predictionBytes, count: pixels)
            ssimTotal += StructuralSimilarity.meanSSIM(truthBytes, predictionBytes, height: height, width: width,
                                                       scratch: ssimScratch)
            if let rule, rule.quantized {
                PixelMetrics.countEvents(truth: truthBytes, prediction: predictionBytes, count: pixels,
                                         scale: rule.scale, offset: rule.offset, thresholds: thresholds,
                                         into: counts)
            }
        }
        scores.ssim = ssimTotal / Double(channels)
        if let rule, !rule.quantized {
            PixelMetrics.countEvents(truth: truth, prediction: p, count: count, scale: rule.scale,
                                     offset: rule.offset, thresholds: thresholds, into: counts)
        }
        return scores
    }
}
