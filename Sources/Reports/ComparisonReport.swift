import Foundation
import Imaging

/// Several models on the same test sequences, side by side: a table of mean metrics, one plot
/// per metric with a curve per model over the predicted frames (as the paper's figures), and
/// strips of the same sequences with one prediction row per model.
public struct ComparisonReport {
    /// One model's (or baseline's) metrics per predicted frame, by metric name.
    public struct Entry {
        public var name: String
        public var metrics: [String: [Double]]
        /// Predictions `[T, H, W, C]` of the example sequences (none for baselines).
        public var predictions: [[Image]]
        /// The MSE of each prediction (mean over its frames), for the captions.
        public var exampleScores: [Double]
        /// Every scored sequence's MSE (mean over its predicted frames), for the distribution plot.
        public var sequenceMSE: [Double]

        public init(name: String, metrics: [String: [Double]], predictions: [[Image]] = [],
                    exampleScores: [Double] = [], sequenceMSE: [Double] = []) {
            self.name = name
            self.metrics = metrics
            self.predictions = predictions
            self.exampleScores = exampleScores
            self.sequenceMSE = sequenceMSE
        }
    }

    public var title: String
    public var summary: [String] = []
    public var entries: [Entry] = []
    /// Metrics to plot and tabulate, in this order (the caller's metrics decide: this target
    /// knows none of them).
    public var metricOrder: [String] = []
    /// Which way is better, for the table's caption.
    public var higherIsBetter: Set<String> = []
    /// Input and ground truth of the example sequences.
    public var exampleInputs: [[Image]] = []
    public var exampleTruths: [[Image]] = []
    /// Which sequence each example is (default: "sequence k").
    public var exampleCaptions: [String] = []

    public init(title: String) { self.title = title }

    /// Writes the plots, strips and `index.html` into `directory`; returns the page's URL.
    @discardableResult
    public func write(to directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var page = HTMLReport(title: title)
        for line in summary { page.addParagraph(line) }

        page.addHeading("Mean over the predicted frames")
        var means: [String: [Double]] = [:]
        for metric in metricOrder {
            means[metric] = entries.map { entry in
                let values = (entry.metrics[metric] ?? []).filter(\.isFinite)
                return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
            }
        }
        page.addMarkdown(meanTable(means))

        page.addHeading("Per predicted frame")
        for metric in metricOrder where entries.contains(where: { $0.metrics[metric] != nil }) {
            let series = entries.enumerated().compactMap { index, entry -> LossPlot.Series? in
                guard let values = entry.metrics[metric] else { return nil }
                return LossPlot.Series(name: entry.name, points: values.enumerated().map { (Double($0.offset + 1), $0.element) },
                                       color: LossPlot.palette[index % LossPlot.palette.count])
            }
            var plot = LossPlot(series: series, title: "\(metric) per predicted frame")
            plot.xLabel = "predicted frame"
            plot.yLabel = metric
            let file = "\(metric.lowercased()).png"
            try plot.write(to: directory.appendingPathComponent(file))
            page.addImage(file, caption: "\(metric) per predicted frame (\(higherIsBetter.contains(metric) ? "higher" : "lower") is better)", pixelated: false)
        }

        let distributions = entries.enumerated().filter { !$0.element.sequenceMSE.isEmpty }
        if !distributions.isEmpty {
            // Sorted per-sequence MSE against the share of sequences: where a model is better
            // across the test set and where only in part of it.
            let series = distributions.map { index, entry in
                let sorted = entry.sequenceMSE.sorted(), n = Double(sorted.count)
                return LossPlot.Series(name: entry.name, points: sorted.enumerated().map { (100 * (Double($0.offset) + 0.5) / n, $0.element) },
                                       color: LossPlot.palette[index % LossPlot.palette.count])
            }
            var plot = LossPlot(series: series, title: "MSE per sequence, sorted")
            plot.xLabel = "share of the sequences (%)"
            plot.yLabel = "MSE"
            try plot.write(to: directory.appendingPathComponent("mse-per-sequence.png"))
            page.addImage("mse-per-sequence.png", caption: "each model's MSE per sequence (mean over its predicted frames), sorted: at x % the curve is the MSE that x % of the sequences stay under", pixelated: false)
        }

        let predicting = entries.filter { !$0.predictions.isEmpty }
        if !exampleTruths.isEmpty { page.addHeading("The same sequences, predicted by each model") }
        for index in exampleTruths.indices {
            var rows = [exampleInputs[index], exampleTruths[index]]
            var labels = ["input", "truth"]
            for entry in predicting where index < entry.predictions.count {
                rows.append(entry.predictions[index])
                labels.append(entry.name)
            }
            let file = "sequence\(index + 1).png"
            try PNG.write(Strip.render(rows: rows, labels: labels), to: directory.appendingPathComponent(file))
            let which = index < exampleCaptions.count ? exampleCaptions[index] : "sequence \(index + 1)"
            let scores = predicting.filter { index < $0.exampleScores.count }
                .map { "\($0.name) \(HTMLReport.format($0.exampleScores[index]))" }
            page.addImage(file, caption: "\(which): input, truth, then each model's prediction"
                          + (scores.isEmpty ? "" : " (MSE, mean over the predicted frames: \(scores.joined(separator: ", ")))"))
        }
        let url = directory.appendingPathComponent("index.html")
        try page.write(to: url)
        return url
    }

    /// A Markdown table: one row per entry, one column per metric.
    func meanTable(_ means: [String: [Double]]) -> String {
        let metrics = metricOrder.filter { means[$0]?.contains(where: \.isFinite) ?? false }
        var lines = ["| model | " + metrics.map { "\($0) \(higherIsBetter.contains($0) ? "↑" : "↓")" }.joined(separator: " | ") + " |",
                     "|---|" + metrics.map { _ in "---:|" }.joined()]
        for (index, entry) in entries.enumerated() {
            lines.append("| \(entry.name) | " + metrics.map { HTMLReport.format(means[$0]![index]) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
