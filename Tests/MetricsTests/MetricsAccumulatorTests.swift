import Engine
import Metrics
import Testing

@Suite struct MetricsAccumulatorTests {
    /// Stacks frames (each H·W·C) into a [B, T, H, W, C] tensor, sequence-major.
    static func tensor(_ frames: [[Float]], batch: Int, steps: Int, height: Int, width: Int,
                       channels: Int) -> Tensor {
        Tensor(shape: [batch, steps, height, width, channels], scalars: frames.flatMap { $0 })
    }

    @Test func perFrameMeansOverSequencesAndFrameOrder() throws {
        // Reference cases 1 and 2 (8×9×1; values from scikit-image/numpy, see ReferenceTests).
        // Batch A: sequence 0 = [case 1, case 2]; batch B: sequence 1 = [case 2, case 2].
        let c1 = ReferenceTests.cases[0], c2 = ReferenceTests.cases[1]
        let p1 = ReferenceTests.pair(c1), p2 = ReferenceTests.pair(c2)
        var accumulator = MetricsAccumulator()
        try accumulator.add(truth: Self.tensor([p1.truth, p2.truth], batch: 1, steps: 2, height: 8, width: 9, channels: 1),
                            prediction: Self.tensor([p1.prediction, p2.prediction], batch: 1, steps: 2, height: 8, width: 9, channels: 1))
        try accumulator.add(truth: Self.tensor([p2.truth, p2.truth], batch: 1, steps: 2, height: 8, width: 9, channels: 1),
                            prediction: Self.tensor([p2.prediction, p2.prediction], batch: 1, steps: 2, height: 8, width: 9, channels: 1))
        let report = try accumulator.report()
        #expect(report.sequenceCount == 2 && report.frameCount == 2 && report.frameShape == [2, 8, 9, 1])
        // Frame 0: mean of case 1 and case 2; frame 1: case 2.
        #expect(close(report.mse.perFrame[0], (c1.mse + c2.mse) / 2, 1e-5))
        #expect(close(report.mse.perFrame[1], c2.mse, 1e-5))
        #expect(close(report.mae.perFrame[0], (c1.mae + c2.mae) / 2, 1e-5))
        #expect(close(report.psnr.perFrame[0], (c1.psnr + c2.psnr) / 2, 1e-5))
        #expect(close(report.ssim.perFrame[0], (c1.ssim + c2.ssim) / 2, 1e-10))
        #expect(close(report.ssim.perFrame[1], c2.ssim, 1e-10))
        #expect(close(report.gdl.perFrame[0], (c1.gdl + c2.gdl) / 2, 1e-5))
        // The mean is over frame indices.
        #expect(close(report.ssim.mean, ((c1.ssim + c2.ssim) / 2 + c2.ssim) / 2, 1e-10))
        #expect(report.categorical == nil)
        // Each sequence's MSE over its own frames, in the order added.
        #expect(accumulator.sequenceMSE.count == 2)
        #expect(close(accumulator.sequenceMSE[0], (c1.mse + c2.mse) / 2, 1e-5))
        #expect(close(accumulator.sequenceMSE[1], c2.mse, 1e-5))
        // … and every other metric's, by name.
        #expect(close(accumulator.sequenceMeans(of: "SSIM")[0], (c1.ssim + c2.ssim) / 2, 1e-10))
        #expect(close(accumulator.sequenceMeans(of: "SSIM")[1], c2.ssim, 1e-10))
        #expect(close(accumulator.sequenceMeans(of: "GDL")[1], c2.gdl, 1e-5))
        #expect(accumulator.sequenceMeans(of: "no such metric").isEmpty)
    }

    @Test func batchSplitDoesNotMatter() throws {
        let (b, t, h, w, c) = (5, 3, 9, 10, 2)
        let count = b * t * h * w * c
        let truth = Tensor(shape: [b, t, h, w, c], scalars: uniforms(seed: 21, count: count))
        let prediction = Tensor(shape: [b, t, h, w, c],
                                scalars: uniforms(seed: 22, count: count).map { $0 * 1.4 - 0.2 })
        var whole = MetricsAccumulator(options: .radar)
        try whole.add(truth: truth, prediction: prediction)
        var pieces = MetricsAccumulator(options: .radar)
        // The same pieces in separate accumulators, added through their sums (as the processes
        // of a distributed run do); one of them empty, like a process without a batch.
        var merged = MetricsAccumulator(options: .radar)
        var sums = [Double](repeating: 0, count: 1 + t * (5 + merged.countsPerFrame))
        let size = t * h * w * c
        for (start, end) in [(0, 2), (2, 3), (3, 5)] {
            let tt = Tensor(shape: [end - start, t, h, w, c], scalars: Array(truth.scalars[(start * size)..<(end * size)]))
            let pp = Tensor(shape: [end - start, t, h, w, c], scalars: Array(prediction.scalars[(start * size)..<(end * size)]))
            try pieces.add(truth: tt, prediction: pp)
            var own = MetricsAccumulator(options: .radar)
            try own.add(truth: tt, prediction: pp)
            sums = zip(sums, own.sums).map { $0 + $1 }
        }
        merged.merge(sums: sums, frameShape: [t, h, w, c])
        let a = try whole.report()
        for r in [try pieces.report(), try merged.report()] {
            #expect(a.sequenceCount == 5 && r.sequenceCount == 5)
            for (x, y) in [(a.mse, r.mse), (a.mae, r.mae), (a.ssim, r.ssim), (a.psnr, r.psnr), (a.gdl, r.gdl)] {
                for i in 0..<t { #expect(close(x.perFrame[i], y.perFrame[i], 1e-12)) }
            }
            #expect(a.categorical == r.categorical)
        }
    }

    @Test func csiPoolsCountsOverSequences() throws {
        // Official rule, 7×7 frames, one frame per sequence.
        // Sequence 0: truth and prediction all 1.0 (p = 255, 142.5 dBZ) → 49 hits at every level.
        // Sequence 1: truth 0 except one 255 pixel, prediction all 0 → 1 miss at every level.
        // Pooled: CSI = 49 / 50 = 0.98 (the mean of per-sequence CSIs would be 0.5), FAR = 0.
        var truth = [Float](repeating: 1, count: 49) + [Float](repeating: 0, count: 49)
        truth[49 + 10] = 1
        let prediction = [Float](repeating: 1, count: 49) + [Float](repeating: 0, count: 49)
        var accumulator = MetricsAccumulator(options: .radar)
        try accumulator.add(truth: Tensor(shape: [2, 1, 7, 7, 1], scalars: truth),
                            prediction: Tensor(shape: [2, 1, 7, 7, 1], scalars: prediction))
        let categorical = try #require(try accumulator.report().categorical)
        #expect(categorical.rule == .official)
        #expect(categorical.thresholds.map(\.threshold) == [30, 40, 50])
        for scores in categorical.thresholds {
            #expect(scores.hits == [49] && scores.misses == [1] && scores.falseAlarms == [0])
            #expect(scores.csi.perFrame == [0.98] && scores.csi.mean == 0.98)
            #expect(scores.far.perFrame == [0])
        }
    }

    @Test func hko7RuleAndZeroDenominators() throws {
        // HKO-7 rule dBZ = 70·v − 10: truth ≡ 0.8 (46 dBZ), prediction ≡ 0.6 (32 dBZ), 49 pixels.
        // 30 dBZ: 49 hits → CSI 1, FAR 0. 40 dBZ: 49 misses → CSI 0, FAR 0/0 → 0.
        // 50 dBZ: no event at all → CSI 0/0 → 0, FAR 0/0 → 0 (documented convention, never NaN).
        let options = MetricsOptions(categorical: CategoricalScoring(rule: .hko7))
        var accumulator = MetricsAccumulator(options: options)
        try accumulator.add(truth: Tensor(repeating: 0.8, shape: [1, 1, 7, 7, 1]),
                            prediction: Tensor(repeating: 0.6, shape: [1, 1, 7, 7, 1]))
        let scores = try #require(try accumulator.report().categorical).thresholds
        #expect(scores.map(\.hits) == [[49], [0], [0]])
        #expect(scores.map(\.misses) == [[0], [49], [0]])
        #expect(scores.map(\.falseAlarms) == [[0], [0], [0]])
        #expect(scores.map { $0.csi.perFrame } == [[1], [0], [0]])
        #expect(scores.map { $0.far.perFrame } == [[0], [0], [0]])
    }

    @Test func perfectPredictionCapsPSNR() throws {
        let frames = Tensor(shape: [2, 2, 8, 8, 1], scalars: uniforms(seed: 5, count: 256))
        var accumulator = MetricsAccumulator()
        try accumulator.add(truth: frames, prediction: frames)
        let report = try accumulator.report()
        #expect(report.psnr.perFrame == [100, 100] && report.psnrCap == 100)
        #expect(report.mse.perFrame == [0, 0] && report.gdl.mean == 0)
        #expect(report.ssim.perFrame == [1, 1])
    }

    @Test func nanIsAnErrorNamingMetricAndFrame() throws {
        var accumulator = MetricsAccumulator()
        let good = Tensor(repeating: 0.5, shape: [2, 3, 7, 7, 1])
        try accumulator.add(truth: good, prediction: good)
        // NaN in the prediction of sequence 1 (of this batch), frame 2, y 4, x 5.
        var values = good.scalars
        values[1 * 147 + 2 * 49 + 4 * 7 + 5] = .nan
        let bad = Tensor(shape: [2, 3, 7, 7, 1], scalars: values)
        #expect(throws: MetricsError.nonFinite(metric: "MSE", sequence: 3, frame: 2,
                                               cause: "the prediction holds nan at y 4, x 5, channel 0")) {
            try accumulator.add(truth: good, prediction: bad)
        }
        // The failed batch changed nothing.
        #expect(accumulator.sequenceCount == 2 && accumulator.sequenceMSE == [0, 0])
        #expect(try accumulator.report().mse.perFrame == [0, 0, 0])
        // NaN or ∞ in the truth.
        #expect(throws: MetricsError.nonFinite(metric: "MSE", sequence: 3, frame: 2,
                                               cause: "the truth holds nan at y 4, x 5, channel 0")) {
            try accumulator.add(truth: bad, prediction: good)
        }
        values[1 * 147 + 2 * 49 + 4 * 7 + 5] = .infinity
        let infinite = Tensor(shape: [2, 3, 7, 7, 1], scalars: values)
        do {
            try accumulator.add(truth: infinite, prediction: good)
            Issue.record("∞ in the truth was accepted")
        } catch let error as MetricsError {
            #expect("\(error)".contains("MSE is not finite for predicted frame 3 (index 2) of test sequence 3"))
            #expect("\(error)".contains("the truth holds inf at y 4, x 5"))
        }
        // ∞ in a prediction is clipped to 1 like any value above 1: no error.
        try accumulator.add(truth: good, prediction: infinite)
        #expect(accumulator.sequenceCount == 4)
    }

    @Test func reportBeforeAnyBatchThrows() {
        #expect(throws: MetricsError.noSequences) { try MetricsAccumulator().report() }
    }
}
