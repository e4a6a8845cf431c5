import DataSources
import Datasets
import Engine
import Foundation
import Imaging
import Metrics
import Predictor
import Reports

/// Trained models evaluated on the same test sequences, with the baselines, for a side-by-side
/// report (`motionrnn compare`, the main job).
public enum Comparison {
    public struct Result {
        public var names: [String]
        /// One per model, then one per baseline.
        public var metrics: [MetricsReport]
        /// The first model against each other model (not the baselines, which keep no
        /// per-sequence scores), sequence by sequence.
        public var pairedSummaries: [String]
        public var reportURL: URL
    }

    /// Scores each of `models` on the first `count` sequences of `testSet` (all must share the
    /// frame size and the input/output lengths), and the baselines; writes `metrics.json` and
    /// the report into `directory`. The report draws the first `exampleCount` sequences and,
    /// with `spreadExamples` (and `exampleCount` > 0), those where the first model did best,
    /// at its median and worst (`spread`), each predicted by every model.
    public static func run(_ models: [(name: String, trained: TrainedModel)], on testSet: any SequenceDataset,
                           dataName: String, count: Int, batchSize: Int, exampleCount: Int,
                           spreadExamples: Bool = true, options: MetricsOptions,
                           baselines: [Evaluation.Baseline] = Evaluation.Baseline.allCases,
                           in directory: URL) throws -> Result {
        guard let first = models.first?.trained.experiment.model else {
            throw ExperimentError("compare: no models given")
        }
        let allNames = models.map(\.name) + baselines.map(\.rawValue)
        if let repeated = allNames.first(where: { name in allNames.filter { $0 == name }.count > 1 }) {
            throw ExperimentError("compare: '\(repeated)' names two of the models or baselines compared; each needs its own name")
        }
        for (name, trained) in models {
            let m = trained.experiment.model
            guard m.inputLength == first.inputLength, m.totalLength == first.totalLength,
                  [m.imageHeight, m.imageWidth, m.imageChannels] == testSet.frameShape else {
                throw ExperimentError("compare: \(name) predicts \(m.inputLength) → \(m.totalLength - m.inputLength) frames of \([m.imageHeight, m.imageWidth, m.imageChannels]); the first model and the data need \(first.inputLength) → \(first.totalLength - first.inputLength) frames of \(testSet.frameShape)")
            }
        }
        var report = ComparisonReport(title: "MotionRNN-Swift: \(models.map(\.name).joined(separator: " vs ")) on \(dataName)")
        report.higherIsBetter = FrameMetrics.higherIsBetter
        var names: [String] = [], metrics: [MetricsReport] = []
        var sequenceMeans: [[String: [Double]]] = []   // per model, for the paired comparisons
        var shown: [Int] = []
        for (name, trained) in models {
            let result = try Evaluation.run(trained.model, on: testSet, count: count, batchSize: batchSize,
                                            configuration: trained.experiment.model, exampleCount: exampleCount,
                                            options: options)
            if names.isEmpty {
                report.exampleInputs = result.examples.map { Image.frames(sequence: $0.input) }
                report.exampleTruths = result.examples.map { Image.frames(sequence: $0.truth) }
                report.exampleCaptions = result.examples.indices.map { "sequence \($0 + 1)" }
                if spreadExamples && exampleCount > 0 {
                    let picks = Evaluation.spread(result.sequenceMSE)
                    shown = picks.map(\.index)
                    report.exampleCaptions += picks.map { label, index in
                        "\(name)'s \(label) sequence by MSE (sequence \(index + 1) of the \(result.sequenceMSE.count) scored)"
                    }
                }
            }
            var predictions = result.examples.map { Image.frames(sequence: $0.prediction) }
            let chosen = try Evaluation.examples(of: trained.model, sequences: shown, in: testSet,
                                                 configuration: trained.experiment.model)
            if names.isEmpty {
                report.exampleInputs += chosen.map { Image.frames(sequence: $0.input) }
                report.exampleTruths += chosen.map { Image.frames(sequence: $0.truth) }
            }
            predictions += chosen.map { Image.frames(sequence: $0.prediction) }
            report.entries.append(.init(name: name, metrics: result.metrics.perFrameTable.values, predictions: predictions,
                                        exampleScores: (Array(result.examples.indices) + shown).map { result.sequenceMSE[$0] },
                                        sequenceMSE: result.sequenceMSE))
            report.summary.append("\(name): \(trained.experiment.model.displayName), layers \(trained.experiment.model.hiddenChannels), filter \(trained.experiment.model.filterSize), " + trained.trainingDescription + " (\(trained.checkpoint.lastPathComponent))")
            names.append(name)
            metrics.append(result.metrics)
            sequenceMeans.append(result.sequenceMeans)
        }
        for baseline in baselines {
            let scored = try Evaluation.score(baseline, on: testSet, count: count, batchSize: batchSize,
                                              configuration: first, options: options)
            report.entries.append(.init(name: baseline.rawValue, metrics: scored.perFrameTable.values))
            names.append(baseline.rawValue)
            metrics.append(scored)
        }
        report.metricOrder = metrics[0].perFrameTable.columns
        report.summary.append("test set: the first \(metrics[0].sequenceCount) sequences of \(dataName); every model sees the same ones")
        let paired = zip(names, sequenceMeans).dropFirst().compactMap { name, means in
            pairedSummary(names[0], sequenceMeans[0], against: name, means)
        }
        report.summary += paired
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(Dictionary(uniqueKeysWithValues: zip(names, metrics))),
                             to: directory.appendingPathComponent("metrics.json"))
        let url = try report.write(to: directory.appendingPathComponent("report"))
        return Result(names: names, metrics: metrics, pairedSummaries: paired, reportURL: url)
    }

    /// The first model against another, sequence by sequence (a mean can hide a difference
    /// made by a few sequences): the mean differences in MSE and SSIM per frame with their 95 %
    /// intervals over these sequences (and whether each leaves out 0, i.e. whether these
    /// sequences can tell the two apart), and on how many the first has the lower MSE. Nil
    /// without per-sequence scores for both (scored across a process group).
    static func pairedSummary(_ referenceName: String, _ reference: [String: [Double]],
                              against name: String, _ other: [String: [Double]]) -> String? {
        guard let ourMSE = reference["MSE"], let theirMSE = other["MSE"],
              let mse = PairedDifference(ourMSE, theirMSE),
              let ssim = PairedDifference(reference["SSIM"] ?? [], other["SSIM"] ?? []) else { return nil }
        let lower = zip(ourMSE, theirMSE).filter { $0 < $1 }.count
        let theirMean = theirMSE.reduce(0, +) / Double(theirMSE.count)
        return "\(referenceName) against \(name), paired over these \(mse.count) sequences: MSE per frame \(mse.described(digits: 2))"
            + (theirMean > 0 ? String(format: ", %+.1f %%", 100 * mse.mean / theirMean) : "")
            + "; SSIM \(ssim.described(digits: 4)); lower MSE on \(lower) of the \(mse.count) sequences"
            + " (the intervals are over the sequences scored, not over training seeds)"
    }
}
