import Engine

/// Collects the SPEC §9 metrics over a test set, one batch at a time, in one pass.
///
/// Each batch is `truth` and `prediction` of the predicted frames, `[B, T, H, W, C]` in [0, 1]
/// (frame index 0 is the first predicted frame); every batch must have the same T, H, W, C and
/// H, W ≥ 7 (SSIM's window). Per frame index the accumulator keeps the sums over sequences of
/// each metric of `FrameMetrics.all` (each a per-frame value, so the report gives their means
/// over sequences) and the CSI/FAR hit, miss and false-alarm counts pooled over the whole test set.
///
/// Frames are scored in parallel on the worker pool's threads; a batch whose metrics are not all finite throws
/// `MetricsError.nonFinite` and leaves the accumulator as it was before the batch.
public struct MetricsAccumulator: Sendable {
    public let options: MetricsOptions
    public private(set) var sequenceCount = 0
    /// [T, H, W, C], fixed by the first batch.
    public private(set) var frameShape: [Int]?

    /// [metric of `FrameMetrics.all`][frame index]: sums over sequences.
    var totals: [[Double]] = []
    /// [T][threshold][hits, misses, false alarms], flattened.
    var events: [Int] = []
    /// [sequence][metric of `FrameMetrics.all`]: each sequence's metrics averaged over its
    /// predicted frames, in the order added (the sequences added here; `merge` adds none): for
    /// picking sequences to show and for paired comparisons of models.
    public private(set) var sequenceMeans: [[Double]] = []

    /// Each sequence's mean of the metric called `name` over its predicted frames.
    public func sequenceMeans(of name: String) -> [Double] {
        guard let index = FrameMetrics.all.firstIndex(where: { $0.name == name }) else { return [] }
        return sequenceMeans.map { $0[index] }
    }

    /// Each sequence's MSE averaged over its predicted frames.
    public var sequenceMSE: [Double] { sequenceMeans(of: "MSE") }

    public init(options: MetricsOptions = MetricsOptions()) {
        self.options = options
    }

    public var countsPerFrame: Int { 3 * (options.categorical?.thresholds.count ?? 0) }

    public mutating func add(truth: Tensor, prediction: Tensor) throws {
        let op = "MetricsAccumulator.add"
        Shape.check(op, truth.shape, rank: 5, "truth [B, T, H, W, C]")
        Shape.check(op, prediction.shape, equals: truth.shape, "prediction shape")
        let geometry = Array(truth.shape.dropFirst())
        if let frameShape {
            Shape.check(op, geometry, equals: frameShape, "frames [T, H, W, C] of this batch")
        }
        let batch = truth.shape[0], steps = geometry[0]
        let height = geometry[1], width = geometry[2], channels = geometry[3]
        guard height >= StructuralSimilarity.window && width >= StructuralSimilarity.window else {
            throw MetricsError.framesTooSmall(height: height, width: width)
        }
        let frames = batch * steps, frameSize = height * width * channels
        let perFrame = countsPerFrame
        guard frames > 0 else { return }

        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let scores = UnsafeMutablePointer<FrameScores>.allocate(capacity: frames)
        scores.initialize(repeating: FrameScores(values: []), count: frames)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let counts = UnsafeMutablePointer<Int>.allocate(capacity: max(1, frames * perFrame))
        counts.initialize(repeating: 0, count: max(1, frames * perFrame))
        defer {
            scores.deinitialize(count: frames); scores.deallocate()
            counts.deallocate()
        }
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let t = truth.pointer, p = prediction.pointer, categorical = options.categorical
        Parallel.forRanges(frames, minimumPerTask: 2) { range in
            let scorer = FrameScorer(height: height, width: width, channels: channels, categorical: categorical)
            for f in range {
                scores[f] = scorer.score(truth: t + f * frameSize, prediction: p + f * frameSize,
                                         counts: counts + f * perFrame)
            }
        }

        // Check everything before committing anything, so a failed batch changes nothing.
        for f in 0..<frames {
            if let name = scores[f].firstNonFinite {
                throw MetricsError.nonFinite(
                    metric: name, sequence: sequenceCount + f / steps, frame: f % steps,
                    cause: Self.locateNonFinite(truth: t + f * frameSize, prediction: p + f * frameSize,
                                                width: width, channels: channels, count: frameSize))
            }
        }

        if frameShape == nil { start(frameShape: geometry) }
        for f in 0..<frames {
            let step = f % steps
            for (metric, value) in scores[f].values.enumerated() { totals[metric][step] += value }
            for k in 0..<perFrame { events[step * perFrame + k] += counts[f * perFrame + k] }
        }
        for b in 0..<batch {
            sequenceMeans.append(FrameMetrics.all.indices.map { metric in
                (0..<steps).map { scores[b * steps + $0].values[metric] }.reduce(0, +) / Double(steps)
            })
        }
        sequenceCount += batch
    }

    /// Where the first non-finite input of a frame is: NaN/±∞ in the truth, or NaN in the
    /// prediction (±∞ there is clipped to 1 / 0 and is harmless).
    static func locateNonFinite(truth: UnsafePointer<Float>, prediction: UnsafePointer<Float>,
                                width: Int, channels: Int, count: Int) -> String {
        func place(_ i: Int) -> String {
            "y \(i / (width * channels)), x \(i / channels % width), channel \(i % channels)"
        }
        for i in 0..<count where !truth[i].isFinite {
            return "the truth holds \(truth[i]) at \(place(i))"
        }
        for i in 0..<count where prediction[i].isNaN {
            return "the prediction holds nan at \(place(i))"
        }
        return "the inputs are finite but a sum overflowed (truth far outside [0, 1]?)"
    }

    /// Everything added so far as one vector of sums (the sequence count, then per frame the
    /// metric sums and the event counts), for adding the accumulators of disjoint parts of a
    /// test set, e.g. with an all-reduce across processes. Counts stay exact in Double below 2⁵³.
    public var sums: [Double] {
        [Double(sequenceCount)] + totals.joined() + events.map(Double.init)
    }

    /// Adds another accumulator's `sums` (same options) for frames of `frameShape` [T, H, W, C].
    public mutating func merge(sums other: [Double], frameShape shape: [Int]) {
        let steps = shape[0], perFrame = countsPerFrame, metrics = FrameMetrics.all.count
        precondition(other.count == 1 + steps * (metrics + perFrame) && frameShape.map { $0 == shape } != false,
                     "MetricsAccumulator.merge: sums of \(other.count) values do not fit frames \(shape)")
        if frameShape == nil { start(frameShape: shape) }
        sequenceCount += Int(other[0])
        for metric in 0..<metrics {
            for t in 0..<steps { totals[metric][t] += other[1 + metric * steps + t] }
        }
        for k in 0..<(steps * perFrame) { events[k] += Int(other[1 + metrics * steps + k]) }
    }

    /// Zero sums for frames of `shape` [T, H, W, C].
    private mutating func start(frameShape shape: [Int]) {
        frameShape = shape
        totals = Array(repeating: Array(repeating: 0, count: shape[0]), count: FrameMetrics.all.count)
        events = Array(repeating: 0, count: shape[0] * countsPerFrame)
    }

    /// The per-frame means and overall means of everything added so far.
    public func report() throws -> MetricsReport {
        guard sequenceCount > 0, let frameShape else { throw MetricsError.noSequences }
        let n = Double(sequenceCount)
        func series(_ sums: [Double]) -> MetricSeries { MetricSeries(perFrame: sums.map { $0 / n }) }
        var categoricalReport: CategoricalReport?
        if let categorical = options.categorical {
            let steps = frameShape[0], perFrame = countsPerFrame
            let scores = categorical.thresholds.enumerated().map { k, threshold in
                let column = { (j: Int) in (0..<steps).map { self.events[$0 * perFrame + 3 * k + j] } }
                return ThresholdScores(threshold: threshold, hits: column(0), misses: column(1),
                                       falseAlarms: column(2))
            }
            categoricalReport = CategoricalReport(rule: categorical.rule, thresholds: scores)
        }
        return MetricsReport(
            sequenceCount: sequenceCount, frameShape: frameShape, psnrCap: PixelMetrics.psnrCap,
            series: zip(FrameMetrics.all, totals).map { ($0.name, series($1)) }, categorical: categoricalReport)
    }
}
