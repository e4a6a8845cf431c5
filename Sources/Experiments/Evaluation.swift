import DataSources
import Datasets
import Engine
import Foundation
import Metrics
import Predictor
import Reports
import Training

/// Scores a model on a test set (SPEC §9) and collects what the report shows.
public enum Evaluation {
    public struct Result {
        public var metrics: MetricsReport
        public var examples: [RunReport.Example]
        public var motion: RunReport.Motion?
        /// Each scored sequence's mean over its predicted frames of every per-frame metric, by
        /// metric name, in test-set order (empty when scored across a process group).
        public var sequenceMeans: [String: [Double]]
        /// Each scored sequence's MSE averaged over its predicted frames.
        public var sequenceMSE: [Double] { sequenceMeans["MSE"] ?? [] }
    }

    /// Runs `model` on the first `count` sequences of `testSet` (the model feeds on its own
    /// predictions after the input window) and scores every predicted frame. The first
    /// `exampleCount` sequences are kept for pictures, with every MotionGRU's trend at each step
    /// of the first sequence when the model has them.
    /// With a process `group` each process scores every size-th batch and the metrics are summed
    /// across processes (every process must call this); the pictures come from each process's
    /// own batches, rank 0's being the ones reported.
    public static func run(_ model: any SequencePredictor, on testSet: any SequenceDataset,
                           count: Int, batchSize: Int, configuration: ModelConfiguration,
                           exampleCount: Int, options: MetricsOptions,
                           group: (any ProcessGroup)? = nil) throws -> Result {
        var accumulator = MetricsAccumulator(options: options)
        var examples: [RunReport.Example] = []
        var motion: RunReport.Motion?
        let total = min(count, testSet.count)
        var start = 0
        var batchIndex = 0
        while start < total {
            let indices = Array(start..<min(start + batchSize, total))
            defer { start += indices.count; batchIndex += 1 }
            if let group, batchIndex % group.size != group.rank { continue }
            let batch = try BatchSampler.batch(of: testSet, indices: indices)
            var trends: [[Tensor]] = []   // [MotionGRU][step]
            if start == 0 {
                // The first sequence's trend in every MotionGRU, step by step.
                model.motionObserver = { _, layer, state in
                    while trends.count <= layer { trends.append([]) }
                    trends[layer].append(select(Variable(state.trend.value), index: 0, axis: 0).value)
                }
            }
            let (truth, prediction) = Evaluator.predict(model, batch: batch, configuration: configuration)
            model.motionObserver = nil
            try accumulator.add(truth: truth, prediction: prediction)
            for k in 0..<min(exampleCount - examples.count, indices.count) {
                examples.append(example(k, of: batch, truth: truth, prediction: prediction,
                                        inputLength: configuration.inputLength))
            }
            if let first = trends.first, motion == nil {
                // Step t takes in frame t: a true input frame, then the model's own prediction.
                let sequence = select(Variable(batch), index: 0, axis: 0)
                let predicted = select(Variable(prediction), index: 0, axis: 0)
                let frames = first.indices.map { t in
                    t < configuration.inputLength ? select(sequence, index: t, axis: 0).value
                        : select(predicted, index: t - configuration.inputLength, axis: 0).value
                }
                motion = RunReport.Motion(frames: frames, trends: trends, inputLength: configuration.inputLength)
            }
        }
        let sequenceMeans = group != nil ? [:] : Dictionary(uniqueKeysWithValues: FrameMetrics.all.map {
            ($0.name, accumulator.sequenceMeans(of: $0.name))
        })
        if let group {
            var sums = accumulator.sums
            let steps = configuration.totalLength - configuration.inputLength
            // A process without batches contributes zeros of the right length.
            if accumulator.frameShape == nil {
                sums = Array(repeating: 0, count: 1 + steps * (5 + accumulator.countsPerFrame))
            }
            group.allReduceSum(&sums)
            accumulator = MetricsAccumulator(options: options)
            accumulator.merge(sums: sums, frameShape: [steps, configuration.imageHeight, configuration.imageWidth,
                                                       configuration.imageChannels])
        }
        return Result(metrics: try accumulator.report(), examples: examples, motion: motion,
                      sequenceMeans: sequenceMeans)
    }

    /// `model`'s predictions of the test sequences at `indices` (in that order), for pictures
    /// (their scores are the full evaluation's `sequenceMSE[index]`).
    public static func examples(of model: any SequencePredictor, sequences indices: [Int],
                                in testSet: any SequenceDataset,
                                configuration: ModelConfiguration) throws -> [RunReport.Example] {
        guard !indices.isEmpty else { return [] }
        let batch = try BatchSampler.batch(of: testSet, indices: indices)
        let (truth, prediction) = Evaluator.predict(model, batch: batch, configuration: configuration)
        return indices.indices.map { k in
            example(k, of: batch, truth: truth, prediction: prediction, inputLength: configuration.inputLength)
        }
    }

    /// The sequences at the lowest, the median and the highest of `sequenceMSE`, each once
    /// (fewer when there are fewer than 3 sequences), labelled "best", "median", "worst": where
    /// to look beyond the first few.
    public static func spread(_ sequenceMSE: [Double]) -> [(label: String, index: Int)] {
        guard !sequenceMSE.isEmpty else { return [] }
        let order = sequenceMSE.indices.sorted { (sequenceMSE[$0], $0) < (sequenceMSE[$1], $1) }
        let picks = [("best", order[0]), ("median", order[(order.count - 1) / 2]), ("worst", order[order.count - 1])]
        var seen = Set<Int>()
        return picks.filter { seen.insert($0.1).inserted }.map { (label: $0.0, index: $0.1) }
    }

    /// Sequence `k` of a predicted batch: its input frames, the truth and the prediction.
    static func example(_ k: Int, of batch: Tensor, truth: Tensor, prediction: Tensor,
                        inputLength: Int) -> RunReport.Example {
        let sequence = select(Variable(batch), index: k, axis: 0)
        return RunReport.Example(input: slice(sequence, range: 0..<inputLength, axis: 0).value,
                                 truth: select(Variable(truth), index: k, axis: 0).value,
                                 prediction: select(Variable(prediction), index: k, axis: 0).value)
    }
}

extension Evaluation {
    /// Predictions that need no model: the floors every model must beat.
    public enum Baseline: String, CaseIterable, Sendable {
        /// "The future looks like the last input frame".
        case copyLast = "copy last input frame"
        /// Nothing at all: on V-MNIST's black background a blank frame scores better than a
        /// wrong guess, so a model must beat this to show it predicts.
        case black = "all-black frames"
    }

    /// Scores `baseline` on the sequences `run` scores.
    public static func score(_ baseline: Baseline, on testSet: any SequenceDataset, count: Int, batchSize: Int,
                             configuration: ModelConfiguration, options: MetricsOptions) throws -> MetricsReport {
        var accumulator = MetricsAccumulator(options: options)
        let total = min(count, testSet.count)
        let input = configuration.inputLength, length = configuration.totalLength
        var start = 0
        while start < total {
            let indices = Array(start..<min(start + batchSize, total))
            let batch = Variable(try BatchSampler.batch(of: testSet, indices: indices))
            let truth = slice(batch, range: input..<length, axis: 1)
            let prediction: Tensor
            switch baseline {
            case .copyLast:
                let last = select(batch, index: input - 1, axis: 1)
                prediction = stack(Array(repeating: last, count: length - input), axis: 1).value
            case .black:
                prediction = Tensor(zeros: truth.shape)
            }
            try accumulator.add(truth: truth.value, prediction: prediction)
            start += indices.count
        }
        return try accumulator.report()
    }
}
