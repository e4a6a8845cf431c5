import Foundation

/// One metric per predicted frame index (mean over sequences) and its mean over frame indices.
public struct MetricSeries: Codable, Sendable, Equatable {
    public var perFrame: [Double]
    public var mean: Double

    public init(perFrame: [Double]) {
        self.perFrame = perFrame
        mean = perFrame.isEmpty ? 0 : perFrame.reduce(0, +) / Double(perFrame.count)
    }
}

/// CSI and FAR at one threshold, from hits / misses / false alarms pooled over the test set per
/// frame index. CSI = hits / (hits + misses + false alarms), FAR = false alarms / (hits + false
/// alarms); a zero denominator (no event observed or forecast at all) gives 0, never NaN — the
/// counts are kept so anyone can tell such a 0 apart. `mean` is the mean over frame indices.
public struct ThresholdScores: Codable, Sendable, Equatable {
    public var threshold: Double
    public var csi: MetricSeries
    public var far: MetricSeries
    public var hits: [Int]
    public var misses: [Int]
    public var falseAlarms: [Int]

    public init(threshold: Double, hits: [Int], misses: [Int], falseAlarms: [Int]) {
        precondition(hits.count == misses.count && hits.count == falseAlarms.count,
                     "ThresholdScores: counts of different lengths")
        self.threshold = threshold
        self.hits = hits
        self.misses = misses
        self.falseAlarms = falseAlarms
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        csi = MetricSeries(perFrame: hits.indices.map { ratio(hits[$0], hits[$0] + misses[$0] + falseAlarms[$0]) })
        far = MetricSeries(perFrame: hits.indices.map { ratio(falseAlarms[$0], hits[$0] + falseAlarms[$0]) })
    }
}

/// CSI/FAR of a radar evaluation and the pixel → dBZ rule it used.
public struct CategoricalReport: Codable, Sendable, Equatable {
    public var rule: ReflectivityRule
    public var thresholds: [ThresholdScores]

    public init(rule: ReflectivityRule, thresholds: [ThresholdScores]) {
        self.rule = rule
        self.thresholds = thresholds
    }
}

/// The metrics of a test set (SPEC §9), per predicted frame index and averaged.
/// MSE, MAE and GDL are per-frame sums over pixels and channels, averaged over sequences; PSNR
/// (dB, capped at `psnrCap`) and SSIM are per-frame values averaged over sequences.
public struct MetricsReport: Codable, Sendable, Equatable {
    public var sequenceCount: Int
    /// [T, H, W, C] of the predicted frames.
    public var frameShape: [Int]
    public var psnrCap: Double
    public var mse: MetricSeries
    public var mae: MetricSeries
    public var ssim: MetricSeries
    public var psnr: MetricSeries
    public var gdl: MetricSeries
    /// Present for radar evaluations (`MetricsOptions.categorical`).
    public var categorical: CategoricalReport?

    public init(sequenceCount: Int, frameShape: [Int], psnrCap: Double, mse: MetricSeries,
                mae: MetricSeries, ssim: MetricSeries, psnr: MetricSeries, gdl: MetricSeries,
                categorical: CategoricalReport?) {
        self.sequenceCount = sequenceCount
        self.frameShape = frameShape
        self.psnrCap = psnrCap
        self.mse = mse
        self.mae = mae
        self.ssim = ssim
        self.psnr = psnr
        self.gdl = gdl
        self.categorical = categorical
    }

    public var frameCount: Int { mse.perFrame.count }

    /// Pretty-printed JSON with sorted keys (stable diffs between runs).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    public static func decode(json data: Data) throws -> MetricsReport {
        try JSONDecoder().decode(MetricsReport.self, from: data)
    }

    /// A Markdown table: one row per predicted frame (numbered from 1), one column per metric,
    /// and a final "mean" row.
    public func markdownTable() -> String {
        var columns: [(title: String, series: MetricSeries, digits: Int)] = [
            ("MSE", mse, 2), ("MAE", mae, 2), ("SSIM", ssim, 4), ("PSNR (dB)", psnr, 2), ("GDL", gdl, 2),
        ]
        for scores in categorical?.thresholds ?? [] {
            let level = scores.threshold == scores.threshold.rounded()
                ? String(Int(scores.threshold)) : String(scores.threshold)
            columns.append(("CSI \(level) dBZ", scores.csi, 4))
            columns.append(("FAR \(level) dBZ", scores.far, 4))
        }
        func row(_ label: String, _ values: [String]) -> String {
            "| " + ([label] + values).joined(separator: " | ") + " |"
        }
        var lines = [row("frame", columns.map(\.title)),
                     "|" + String(repeating: "---:|", count: columns.count + 1)]
        for t in 0..<frameCount {
            lines.append(row(String(t + 1), columns.map { String(format: "%.\($0.digits)f", $0.series.perFrame[t]) }))
        }
        lines.append(row("mean", columns.map { String(format: "%.\($0.digits)f", $0.series.mean) }))
        return lines.joined(separator: "\n") + "\n"
    }
}
