/// The per-frame values of `FrameMetrics.all` for one (truth, prediction) frame pair, in that order.
public struct FrameScores: Sendable, Equatable {
    public var values: [Double]

    public init(values: [Double]) { self.values = values }

    /// The value of the metric called `name`.
    public subscript(name: String) -> Double? {
        FrameMetrics.all.firstIndex { $0.name == name }.map { values[$0] }
    }

    public var squaredError: Double { self["MSE"]! }
    public var absoluteError: Double { self["MAE"]! }
    public var psnr: Double { self["PSNR"]! }
    public var ssim: Double { self["SSIM"]! }
    public var gradientDifference: Double { self["GDL"]! }

    /// The first metric, in report order, that is NaN or infinite; nil when all are finite.
    /// (Any NaN input makes MSE NaN, so in practice that is the one named.)
    var firstNonFinite: String? {
        values.firstIndex { !$0.isFinite }.map { FrameMetrics.all[$0].name }
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
        let count = height * width * channels
        let sums = PixelMetrics.clipAndErrorSums(truth: truth, prediction: prediction, clipped: clipped,
                                                 count: count)
        let frame = FramePair(truth: truth, prediction: clipped, height: height, width: width, channels: channels,
                              squaredErrorSum: sums.squared, absoluteErrorSum: sums.absolute, scorer: self)
        let scores = FrameScores(values: FrameMetrics.all.map { $0.value(of: frame) })
        if let rule = categorical?.rule {
            countEvents(frame, rule: rule, into: counts)
        }
        return scores
    }

    /// CSI/FAR events of one frame, on 8-bit pixels per channel or on the clipped values.
    private func countEvents(_ frame: FramePair, rule: ReflectivityRule, into counts: UnsafeMutablePointer<Int>) {
        if rule.quantized {
            for channel in 0..<channels {
                let bytes = frame.quantized(channel: channel)
                PixelMetrics.countEvents(truth: bytes.truth, prediction: bytes.prediction, count: height * width,
                                         scale: rule.scale, offset: rule.offset, thresholds: thresholds, into: counts)
            }
        } else {
            PixelMetrics.countEvents(truth: frame.truth, prediction: frame.prediction, count: frame.count,
                                     scale: rule.scale, offset: rule.offset, thresholds: thresholds, into: counts)
        }
    }
}
