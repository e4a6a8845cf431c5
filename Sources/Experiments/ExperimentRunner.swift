import DataSources
import Datasets
import Engine
import Foundation
import Layers
import Metrics
import Predictor
import Reports
import Training

/// Runs an experiment end to end in one folder: train (or resume), evaluate on the test set,
/// write the metrics (JSON and Markdown) and the report.
///
/// Folder layout: `experiment.json`, `checkpoints/`, `metrics.json`, `metrics.md`,
/// `report/index.html` with its pictures.
public enum ExperimentRunner {
    public struct Outcome {
        /// Nil when the run stopped before its last iteration (not evaluated), and on ranks other
        /// than the writer.
        public var reportURL: URL?
        public var metrics: MetricsReport?
        public var iterations: Int
        public var trainingSeconds: Double
        /// Whether the run reached its last iteration (false when a budget, `stopAt` or a stop
        /// request ended it early).
        public var finished: Bool
    }

    public static func checkpointDirectory(in run: URL) -> URL { run.appendingPathComponent("checkpoints") }
    public static func experimentURL(in run: URL) -> URL { run.appendingPathComponent("experiment.json") }

    /// Trains `experiment` in `run` (continuing its newest checkpoint when `resume`), then
    /// evaluates and reports. With a `timeBudget` (seconds of this session), training stops at a
    /// checkpoint once it is spent; with `stopAt`, at a checkpoint after that iteration (so a run
    /// can change course there, e.g. resume with fewer `--iterations`); with `stopRequested`, at
    /// a checkpoint after the first iteration at whose end it returns true. The run is evaluated
    /// only when it reached its last iteration.
    /// `initialModel`'s parameters (fine-tuning) replace a fresh run's initialisation, grown to
    /// fit a larger filter or wider layers (`fittedParameters`). With a process
    /// `group` every process calls this with the same arguments and trains its shard; rank 0
    /// alone writes the run's files and evaluates, the others return without metrics.
    @discardableResult
    public static func train(_ experiment: Experiment, in run: URL, resume: Bool,
                             timeBudget: Double? = nil, stopAt: Int? = nil, stopRequested: (() -> Bool)? = nil,
                             initialModel: TrainedModel? = nil,
                             progress: ProgressReporter = ProgressReporter(),
                             group: (any ProcessGroup)? = nil) throws -> Outcome {
        let deadline = timeBudget.map { Date(timeIntervalSinceNow: $0) }
        try experiment.validate()
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        // Rank 0 alone writes the run's files, so it alone claims the folder, until this returns.
        let lock = (group?.rank ?? 0) == 0 ? try RunLock(run: run) : nil
        defer { withExtendedLifetime(lock) {} }
        let splits = try experiment.data.datasets(experiment.dataOptions)
        let (trainSet, testSet) = (splits.train, splits.test)
        try checkFrames(of: trainSet, experiment: experiment)
        let batchSize = experiment.training.batchSize
        guard trainSet.count >= batchSize else {
            throw ExperimentError("the training data holds \(trainSet.count) sequences, fewer than one batch of \(batchSize)")
        }
        let batches = SamplerBatchSource(BatchSampler(dataset: trainSet, batchSize: batchSize,
                                                      seed: experiment.training.seed))
        let validation = try splits.validation.map {
            try validationBatches($0, count: experiment.validationCount, batchSize: batchSize)
        } ?? []
        let checkpoints = checkpointDirectory(in: run)
        let trainer: Trainer
        if resume {
            trainer = try Trainer.resume(from: checkpoints, configuration: experiment.training,
                                         batches: batches, validation: validation, progress: progress, group: group)
        } else {
            if let existing = try? CheckpointStore(directory: checkpoints).completeIterations(), !existing.isEmpty {
                throw ExperimentError("\(checkpoints.path) already holds checkpoints; pass --resume to continue that run or choose another --output folder")
            }
            trainer = try Trainer(configuration: experiment.training, batches: batches, validation: validation,
                                  checkpointDirectory: checkpoints, progress: progress, group: group)
            if let initialModel {
                try trainer.model.loadParameters(from: initialModel.fittedParameters(to: trainer.model, of: experiment.model),
                                                 source: experiment.initFrom ?? "the initial model")
            }
        }
        if trainer.isWriter {
            try AtomicFile.write(try JSONEncoder.pretty.encode(experiment), to: experimentURL(in: run))
        }
        let started = Date()
        if let stopAt, stopAt <= trainer.iteration {
            throw ExperimentError("--stop-at \(stopAt): the run in \(run.path) is already at iteration \(trainer.iteration)")
        }
        try trainer.run(until: stopAt, deadline: deadline, stopRequested: stopRequested)
        try trainer.saveCheckpointUnlessSaved()
        let seconds = Date().timeIntervalSince(started)
        guard trainer.iteration >= experiment.training.iterations else {
            return Outcome(reportURL: nil, metrics: nil, iterations: trainer.iteration, trainingSeconds: seconds,
                           finished: false)
        }
        guard trainer.isWriter else {
            // Scores its share of the test set for rank 0's report.
            _ = try score(trainer.model, experiment: experiment, testSet: testSet, group: group)
            return Outcome(reportURL: nil, metrics: nil, iterations: trainer.iteration, trainingSeconds: seconds,
                           finished: true)
        }
        let outcome = try evaluate(trainer.model, experiment: experiment, testSet: testSet, in: run,
                                   history: trainer.history, group: group,
                                   notes: ["trained \(trainer.iteration) iterations"
                                           + (trainer.history.trainingSeconds.map { String(format: " in %.2f h over all sessions", $0 / 3600) } ?? "")
                                           + String(format: "; this session %.0f s", seconds)]
                                       + (experiment.initFrom.map { ["started from the parameters of \($0)"] } ?? [])
                                       + experiment.history)
        return Outcome(reportURL: outcome.reportURL, metrics: outcome.metrics,
                       iterations: trainer.iteration, trainingSeconds: seconds, finished: true)
    }

    /// Scores `model` on the test set and writes `metrics.json`, `metrics.md` and the report.
    /// With a process `group`, every process must call `score` on its side (see `train`).
    public static func evaluate(_ model: any SequencePredictor, experiment: Experiment,
                                testSet: any SequenceDataset, in run: URL, history: LossHistory?,
                                group: (any ProcessGroup)? = nil,
                                notes: [String] = []) throws -> (reportURL: URL, metrics: MetricsReport) {
        let result = try score(model, experiment: experiment, testSet: testSet, group: group)
        try AtomicFile.write(try result.metrics.jsonData(), to: run.appendingPathComponent("metrics.json"))
        try AtomicFile.write(Data(result.metrics.markdownTable().utf8), to: run.appendingPathComponent("metrics.md"))

        var report = RunReport(title: "MotionRNN-Swift: \(experiment.model.displayName) on \(experiment.data)")
        let m = experiment.model
        report.summary = [
            "model: \(m.displayName), layers \(m.hiddenChannels), filter \(m.filterSize), patch \(m.patchSize), \(m.inputLength) → \(m.totalLength - m.inputLength) frames of \(m.imageHeight)×\(m.imageWidth)×\(m.imageChannels)",
            "test set: \(result.metrics.sequenceCount) sequences",
        ] + notes
        report.examples = result.examples
        if experiment.reportExamples > 0 {
            // Beyond the first few: where the model does best, at its median and worst.
            let picks = Evaluation.spread(result.sequenceMSE)
            let chosen = try Evaluation.examples(of: model, sequences: picks.map(\.index), in: testSet, configuration: m)
            report.examples += zip(picks, chosen).map { pick, example in
                var example = example
                example.caption = "the \(pick.label) sequence by MSE (sequence \(pick.index + 1) of the \(result.sequenceMSE.count) scored, MSE \(String(format: "%.1f", result.sequenceMSE[pick.index])) per frame)"
                return example
            }
        }
        report.motion = result.motion
        if let history {
            report.trainingLoss = history.training.enumerated().map { ($0.offset + 1, Double($0.element)) }
            report.validationLoss = history.validation.map { ($0.iteration, Double($0.loss)) }
            report.validationMSE = history.validation.compactMap { point in
                point.meanMSE.map { (point.iteration, point.seconds.map { $0 / 3600 }, Double($0)) }
            }
        }
        (report.metrics, report.metricOrder) = result.metrics.perFrameTable
        let url = try report.write(to: run.appendingPathComponent("report"))
        return (url, result.metrics)
    }

    /// The experiment's test metrics of `model` (and the report's pictures).
    static func score(_ model: any SequencePredictor, experiment: Experiment, testSet: any SequenceDataset,
                      group: (any ProcessGroup)?) throws -> Evaluation.Result {
        let options: MetricsOptions = experiment.metricsOptions
        return try Evaluation.run(model, on: testSet, count: experiment.testCount,
                                  batchSize: experiment.training.batchSize, configuration: experiment.model,
                                  exampleCount: experiment.reportExamples, options: options, group: group)
    }

    static func validationBatches(_ validationSet: any SequenceDataset, count: Int, batchSize: Int) throws -> [Tensor] {
        let total = min(count, validationSet.count)
        return try stride(from: 0, to: total, by: batchSize).map {
            try BatchSampler.batch(of: validationSet, indices: Array($0..<min($0 + batchSize, total)))
        }
    }

    /// The data's frames must be what the model expects.
    public static func checkFrames(of dataset: any SequenceDataset, experiment: Experiment) throws {
        let m = experiment.model
        let expected = [m.imageHeight, m.imageWidth, m.imageChannels]
        guard dataset.frameShape == expected else {
            throw ExperimentError(
                "\(experiment.data) gives frames of \(dataset.frameShape) (H, W, C), the model expects \(expected); set --image-size/--channels to match or --resize the data")
        }
    }
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}
