import Engine
import Foundation
import Metrics
import Testing

@Suite struct MetricsReportTests {
    /// A report with hand-picked values (two predicted frames, radar scores at 30 and 42.5 dBZ).
    static let handMade = MetricsReport(
        sequenceCount: 3, frameShape: [2, 64, 64, 1], psnrCap: 100,
        mse: MetricSeries(perFrame: [10.5, 20.25]), mae: MetricSeries(perFrame: [30, 41]),
        ssim: MetricSeries(perFrame: [0.91234, 0.8]), psnr: MetricSeries(perFrame: [25.126, 22]),
        gdl: MetricSeries(perFrame: [100, 150.5]),
        categorical: CategoricalReport(rule: .official, thresholds: [
            ThresholdScores(threshold: 30, hits: [3, 1], misses: [1, 0], falseAlarms: [0, 1]),
            ThresholdScores(threshold: 42.5, hits: [0, 0], misses: [0, 2], falseAlarms: [0, 0]),
        ]))

    @Test func seriesMeans() {
        let r = Self.handMade
        #expect(r.mse.mean == 15.375 && r.gdl.mean == 125.25)
        #expect(close(r.psnr.mean, 23.563, 1e-12))
        // 30 dBZ: CSI 3/4, 1/2 → mean .625; FAR 0, 1/2 → .25. 42.5 dBZ: CSI 0/0 → 0, 0/2 → 0.
        #expect(r.categorical!.thresholds[0].csi.perFrame == [0.75, 0.5])
        #expect(r.categorical!.thresholds[0].csi.mean == 0.625)
        #expect(r.categorical!.thresholds[0].far.mean == 0.25)
        #expect(r.categorical!.thresholds[1].csi.perFrame == [0, 0])
    }

    @Test func jsonRoundTrip() throws {
        let data = try Self.handMade.jsonData()
        #expect(try MetricsReport.decode(json: data) == Self.handMade)
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains("\"sequenceCount\" : 3"))
        #expect(text.contains("\"perFrame\""))
        // A report computed from data survives the round trip too (awkward Doubles included).
        var accumulator = MetricsAccumulator(options: .radar)
        let truth = Tensor(shape: [2, 2, 8, 8, 1], scalars: uniforms(seed: 31, count: 256))
        let prediction = Tensor(shape: [2, 2, 8, 8, 1], scalars: uniforms(seed: 32, count: 256))
        try accumulator.add(truth: truth, prediction: prediction)
        let report = try accumulator.report()
        #expect(try MetricsReport.decode(json: report.jsonData()) == report)
        // Without radar scores the key is simply absent.
        var plain = report
        plain.categorical = nil
        let plainText = String(decoding: try plain.jsonData(), as: UTF8.self)
        #expect(!plainText.contains("categorical"))
        #expect(try MetricsReport.decode(json: plain.jsonData()) == plain)
    }

    @Test func markdownTable() {
        let expected = """
            | frame | MSE | MAE | SSIM | PSNR (dB) | GDL | CSI 30 dBZ | FAR 30 dBZ | CSI 42.5 dBZ | FAR 42.5 dBZ |
            |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
            | 1 | 10.50 | 30.00 | 0.9123 | 25.13 | 100.00 | 0.7500 | 0.0000 | 0.0000 | 0.0000 |
            | 2 | 20.25 | 41.00 | 0.8000 | 22.00 | 150.50 | 0.5000 | 0.5000 | 0.0000 | 0.0000 |
            | mean | 15.38 | 35.50 | 0.8562 | 23.56 | 125.25 | 0.6250 | 0.2500 | 0.0000 | 0.0000 |

            """
        #expect(Self.handMade.markdownTable() == expected)
        var plain = Self.handMade
        plain.categorical = nil
        #expect(plain.markdownTable().hasPrefix("| frame | MSE | MAE | SSIM | PSNR (dB) | GDL |\n|---:|---:|---:|---:|---:|---:|\n"))
    }
}
