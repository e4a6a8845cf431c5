import Engine
import Foundation
import Metrics
import Testing

/// Per-frame kernels on small frames worked out by hand.
@Suite struct PixelMetricsTests {
    // A 3×3 single-channel frame pair. The prediction leaves [0, 1] at two pixels:
    //   truth t         prediction p          p clipped
    //   0    .5   1     .5   .5   1.5         .5   .5   1
    //   .25  .75  0     0    .75  -.5         0    .75  0
    //   1    1    .5    1    .5   .5          1    .5   .5
    static let truth: [Float] = [0, 0.5, 1, 0.25, 0.75, 0, 1, 1, 0.5]
    static let prediction: [Float] = [0.5, 0.5, 1.5, 0, 0.75, -0.5, 1, 0.5, 0.5]

    @Test func errorSumsClipFirst() {
        // t − p̂ = [-.5 0 0 / .25 0 0 / 0 .5 0]: Σd² = .25 + .0625 + .25 = .5625, Σ|d| = 1.25.
        var clipped = [Float](repeating: -9, count: 9)
        let sums = PixelMetrics.clipAndErrorSums(truth: Self.truth, prediction: Self.prediction,
                                                 clipped: &clipped, count: 9)
        #expect(sums.squared == 0.5625)
        #expect(sums.absolute == 1.25)
        #expect(clipped == [0.5, 0.5, 1, 0, 0.75, 0, 1, 0.5, 0.5])
    }

    @Test func errorSumsOnLongArraysUseSIMDAndTail() {
        // 8 + 8 + 3 elements with d = 0.5 everywhere: Σd² = 19 · .25, Σ|d| = 19 · .5.
        let t = [Float](repeating: 0.75, count: 19), p = [Float](repeating: 0.25, count: 19)
        var clipped = [Float](repeating: 0, count: 19)
        let sums = PixelMetrics.clipAndErrorSums(truth: t, prediction: p, clipped: &clipped, count: 19)
        #expect(sums.squared == 4.75 && sums.absolute == 9.5)
    }

    @Test func psnrFromMeanSquaredError() {
        // Mean squared error of the 3×3 pair: .5625 / 9 = 1/16 → 10·log10(16) = 12.0412 dB.
        #expect(close(PixelMetrics.psnr(meanSquaredError: 0.5625 / 9), 10 * log10(16.0), 1e-12))
        #expect(close(PixelMetrics.psnr(meanSquaredError: 0.01), 20, 1e-12))
        // A perfect frame scores the cap, never +∞; so does anything better than the cap.
        #expect(PixelMetrics.psnr(meanSquaredError: 0) == 100)
        #expect(PixelMetrics.psnr(meanSquaredError: 1e-12) == 100)
    }

    @Test func gradientDifferenceByHand() {
        // Vertical |∂y| (row r+1 − row r):
        //   truth      .25 .25 1  /  .75 .25 .5
        //   clipped p  .5  .25 1  /  1   .25 .5      → Σ| · − · | = .25 + .25 = .5
        // Horizontal |∂x| (column j+1 − column j):
        //   truth      .5 .5  /  .5  .75 /  0  .5
        //   clipped p  0  .5  /  .75 .75 /  .5 0     → .5 + .25 + (.5 + .5) = 1.75
        // GDL = .5 + 1.75 = 2.25.
        let clipped: [Float] = [0.5, 0.5, 1, 0, 0.75, 0, 1, 0.5, 0.5]
        let gdl = PixelMetrics.gradientDifference(truth: Self.truth, prediction: clipped,
                                                  height: 3, width: 3, channels: 1)
        #expect(gdl == 2.25)
    }

    @Test func gradientDifferenceMatchesNaiveLoopWithChannels() {
        let (h, w, c) = (5, 11, 3)
        let t = uniforms(seed: 7, count: h * w * c), p = uniforms(seed: 8, count: h * w * c)
        func at(_ a: [Float], _ y: Int, _ x: Int, _ ch: Int) -> Double { Double(a[(y * w + x) * c + ch]) }
        var expected = 0.0
        for y in 0..<h {
            for x in 0..<w {
                for ch in 0..<c {
                    if y + 1 < h {
                        expected += abs(abs(at(t, y + 1, x, ch) - at(t, y, x, ch)) - abs(at(p, y + 1, x, ch) - at(p, y, x, ch)))
                    }
                    if x + 1 < w {
                        expected += abs(abs(at(t, y, x + 1, ch) - at(t, y, x, ch)) - abs(at(p, y, x + 1, ch) - at(p, y, x, ch)))
                    }
                }
            }
        }
        let gdl = PixelMetrics.gradientDifference(truth: t, prediction: p, height: h, width: w, channels: c)
        #expect(close(gdl, expected, 1e-5))
        // Identical frames have no gradient difference.
        #expect(PixelMetrics.gradientDifference(truth: t, prediction: t, height: h, width: w, channels: c) == 0)
    }

    @Test func trainingLossIsTheMetricPerElement() {
        // `gradientDifferenceLoss` (Engine, what `--loss mse+gdl` trains) and this metric are
        // written apart (a recorded op vs a SIMD kernel); on data in [0, 1] (nothing to clip)
        // the loss must be the frames' metric summed and divided by the element count.
        let (frames, h, w, c) = (3, 5, 11, 3), size = h * w * c
        let t = uniforms(seed: 9, count: frames * size), p = uniforms(seed: 10, count: frames * size)
        let loss = gradientDifferenceLoss(Variable(Tensor(shape: [frames, h, w, c], scalars: p)),
                                          Variable(Tensor(shape: [frames, h, w, c], scalars: t))).value.scalar
        var metricSum = 0.0
        for f in 0..<frames {
            metricSum += t.withUnsafeBufferPointer { t in
                p.withUnsafeBufferPointer { p in
                    PixelMetrics.gradientDifference(truth: t.baseAddress! + f * size, prediction: p.baseAddress! + f * size,
                                                    height: h, width: w, channels: c)
                }
            }
        }
        #expect(close(Double(loss), metricSum / Double(frames * size), 1e-5))
    }

    @Test func quantizeRoundsToBytes() {
        // round(clip(x)·255) with ties up; NaN → 0; 8 values take the SIMD path, 3 the tail.
        let x: [Float] = [0, 1, -0.5, 1.5, 0.5, 1.0 / 255, 0.4 / 255, 0.6 / 255, .nan, 0.25, 3.0 / 255]
        var out = [Float](repeating: -1, count: x.count)
        PixelMetrics.quantize(x, stride: 1, into: &out, count: x.count)
        #expect(out == [0, 255, 0, 255, 128, 1, 0, 1, 0, 64, 3])
        // Strided (channel 1 of 2).
        var second = [Float](repeating: -1, count: 2)
        PixelMetrics.quantize(Array(x.dropFirst()), stride: 2, into: &second, count: 2)
        #expect(second == [255, 255])
        #expect(x.map(Quantize.byte) == out)
    }

    @Test func eventCountsOfficialRule() {
        // Official rule dBZ = (p + 30)/2: ≥ 30 dBZ ⇔ p ≥ 30, ≥ 40 ⇔ p ≥ 50, ≥ 50 ⇔ p ≥ 70.
        //   p truth  0  29 30 50 69 70 100 255 | 255 0 70
        //   p pred  30  30 29 70 50 49 255   0 | 255 0  0
        // 30 dBZ: hits at 3,4,5,6,8 = 5; misses 2,7,10 = 3; false alarms 0,1 = 2.
        // 40 dBZ: hits 3,4,6,8 = 4; misses 5,7,10 = 3; false alarms none.
        // 50 dBZ: hits 6,8 = 2; misses 5,7,10 = 3; false alarm 3 = 1.
        let t: [Float] = [0, 29, 30, 50, 69, 70, 100, 255, 255, 0, 70]
        let p: [Float] = [30, 30, 29, 70, 50, 49, 255, 0, 255, 0, 0]
        var counts = [Int](repeating: 0, count: 9)
        let rule = ReflectivityRule.official
        PixelMetrics.countEvents(truth: t, prediction: p, count: t.count, scale: rule.scale,
                                 offset: rule.offset, thresholds: [30, 40, 50], into: &counts)
        #expect(counts == [5, 3, 2, 4, 3, 0, 2, 3, 1])
        // Counts add up over calls.
        PixelMetrics.countEvents(truth: t, prediction: p, count: t.count, scale: rule.scale,
                                 offset: rule.offset, thresholds: [30, 40, 50], into: &counts)
        #expect(counts == [10, 6, 4, 8, 6, 0, 4, 6, 2])
        // CSI = h/(h+m+f), FAR = f/(h+f): 30 dBZ 5/10, 2/7; 40 dBZ 4/7, 0; 50 dBZ 2/6, 1/3.
        let scores = [30.0, 40, 50].enumerated().map { k, level in
            ThresholdScores(threshold: level, hits: [counts[3 * k] / 2], misses: [counts[3 * k + 1] / 2],
                            falseAlarms: [counts[3 * k + 2] / 2])
        }
        #expect(scores.map { $0.csi.perFrame[0] } == [0.5, 4.0 / 7, 2.0 / 6])
        #expect(scores.map { $0.far.perFrame[0] } == [2.0 / 7, 0, 1.0 / 3])
    }

    @Test func reflectivityRules() {
        // Official: p = round(x·255); (p + 30)/2. x = 30/255 → p 30 → 30 dBZ; x = 1 → 142.5 dBZ.
        #expect(ReflectivityRule.official.dBZ(30.0 / 255) == 30)
        #expect(ReflectivityRule.official.dBZ(1) == 142.5)
        #expect(ReflectivityRule.official.dBZ(0) == 15)
        // HKO-7: 70·v − 10 on the value itself: v = 4/7 → 30 dBZ (to rounding), v = 1 → 60.
        #expect(abs(ReflectivityRule.hko7.dBZ(4.0 / 7) - 30) < 1e-5)
        #expect(ReflectivityRule.hko7.dBZ(1) == 60)
        #expect(ReflectivityRule.named("HKO7") == .hko7 && ReflectivityRule.named("official") == .official)
        #expect(ReflectivityRule.named("nonsense") == nil)
    }
}
