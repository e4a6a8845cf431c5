import Engine
import Foundation
import Metrics
import Testing

/// The metric registry: what `FrameMetrics.all` lists is what the accumulator scores, the JSON
/// holds and the table shows, so a new metric needs no edit anywhere else.
@Suite struct FrameMetricsTests {
    @Test func namesAndJSONKeysAreUnique() {
        let names = FrameMetrics.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(Set(names.map { $0.lowercased() }).count == names.count)
        #expect(names == ["MSE", "MAE", "SSIM", "PSNR", "GDL"])
        #expect(FrameMetrics.higherIsBetter == ["SSIM", "PSNR"])
    }

    @Test func everyRegisteredMetricReachesTheReportTheJSONAndTheTable() throws {
        var accumulator = MetricsAccumulator()
        let truth = Tensor(shape: [2, 3, 8, 8, 1], scalars: uniforms(seed: 41, count: 384))
        let prediction = Tensor(shape: [2, 3, 8, 8, 1], scalars: uniforms(seed: 42, count: 384))
        try accumulator.add(truth: truth, prediction: prediction)
        let report = try accumulator.report()
        #expect(report.names == FrameMetrics.all.map(\.name))
        let json = try #require(String(data: try report.jsonData(), encoding: .utf8))
        let table = report.markdownTable()
        for metric in FrameMetrics.all {
            #expect(report[metric.name].perFrame.count == 3, "\(metric.name)")
            #expect(json.contains("\"\(metric.name.lowercased())\""), "\(metric.name)")
            #expect(table.contains(metric.title), "\(metric.name)")
        }
        // Each series is the mean over sequences of the metric's own per-frame value.
        let scorer = FrameScorer(height: 8, width: 8, channels: 1, categorical: nil)
        var counts = [0]
        for (index, metric) in FrameMetrics.all.enumerated() {
            let values = (0..<2).map { sequence in
                counts.withUnsafeMutableBufferPointer { c in
                    scorer.score(truth: truth.pointer + sequence * 192, prediction: prediction.pointer + sequence * 192,
                                 counts: c.baseAddress!).values[index]
                }
            }
            #expect(report[metric.name].perFrame[0] == (values[0] + values[1]) / 2, "\(metric.name)")
        }
    }
}
