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

/// The metrics of a test set (SPEC §9), per predicted frame index and averaged: one series per
/// metric of `FrameMetrics.all` (by name, in `names` order) and CSI/FAR for radar.
/// MSE, MAE and GDL are per-frame sums over pixels and channels, averaged over sequences; PSNR
/// (dB, capped at `psnrCap`) and SSIM are per-frame values averaged over sequences.
public struct MetricsReport: Codable, Sendable, Equatable {
    public var sequenceCount: Int
    /// [T, H, W, C] of the predicted frames.
    public var frameShape: [Int]
    public var psnrCap: Double
    /// The metrics' names in report order.
    public var names: [String]
    /// Each metric's series, by name.
    public var series: [String: MetricSeries]
    /// Present for radar evaluations (`MetricsOptions.categorical`).
    public var categorical: CategoricalReport?

    public init(sequenceCount: Int, frameShape: [Int], psnrCap: Double, series: [(String, MetricSeries)],
                categorical: CategoricalReport?) {
        self.sequenceCount = sequenceCount
        self.frameShape = frameShape
        self.psnrCap = psnrCap
        names = series.map(\.0)
        self.series = Dictionary(series, uniquingKeysWith: { first, _ in first })
        self.categorical = categorical
    }

    /// The five of SPEC §9 by name.
    public init(sequenceCount: Int, frameShape: [Int], psnrCap: Double, mse: MetricSeries,
                mae: MetricSeries, ssim: MetricSeries, psnr: MetricSeries, gdl: MetricSeries,
                categorical: CategoricalReport?) {
        self.init(sequenceCount: sequenceCount, frameShape: frameShape, psnrCap: psnrCap,
                  series: [("MSE", mse), ("MAE", mae), ("SSIM", ssim), ("PSNR", psnr), ("GDL", gdl)],
                  categorical: categorical)
    }

    /// The series of metric `name` (empty when this report has none).
    public subscript(name: String) -> MetricSeries { series[name] ?? MetricSeries(perFrame: []) }

    public var mse: MetricSeries { self["MSE"] }
    public var mae: MetricSeries { self["MAE"] }
    public var ssim: MetricSeries { self["SSIM"] }
    public var psnr: MetricSeries { self["PSNR"] }
    public var gdl: MetricSeries { self["GDL"] }

    public var frameCount: Int { frameShape.first ?? 0 }

    /// Every per-frame series a report plots, by label: the metrics, then CSI/FAR per threshold
    /// ("CSI20"); `columns` gives their order.
    public var perFrameTable: (values: [String: [Double]], columns: [String]) {
        var values = series.mapValues(\.perFrame), columns = names
        for threshold in categorical?.thresholds ?? [] {
            let level = Int(threshold.threshold)
            values["CSI\(level)"] = threshold.csi.perFrame
            values["FAR\(level)"] = threshold.far.perFrame
            columns += ["CSI\(level)", "FAR\(level)"]
        }
        return (values, columns)
    }

    // MARK: JSON: each metric under its lowercased name ("mse"), beside the fixed fields.

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        sequenceCount = try container.decode(Int.self, forKey: Key("sequenceCount"))
        frameShape = try container.decode([Int].self, forKey: Key("frameShape"))
        psnrCap = try container.decode(Double.self, forKey: Key("psnrCap"))
        categorical = try container.decodeIfPresent(CategoricalReport.self, forKey: Key("categorical"))
        var found: [(String, MetricSeries)] = []
        for metric in FrameMetrics.all {
            if let values = try container.decodeIfPresent(MetricSeries.self, forKey: Key(metric.name.lowercased())) {
                found.append((metric.name, values))
            }
        }
        names = found.map(\.0)
        series = Dictionary(found, uniquingKeysWith: { first, _ in first })
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(sequenceCount, forKey: Key("sequenceCount"))
        try container.encode(frameShape, forKey: Key("frameShape"))
        try container.encode(psnrCap, forKey: Key("psnrCap"))
        try container.encodeIfPresent(categorical, forKey: Key("categorical"))
        for name in names { try container.encode(self[name], forKey: Key(name.lowercased())) }
    }

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
        var columns: [(title: String, series: MetricSeries, digits: Int)] = names.map { name in
            let metric = FrameMetrics.named(name)
            return (metric?.title ?? name, self[name], metric?.digits ?? 2)
        }
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
