import Engine
import Foundation
import Metrics
import Training

/// A trained model as one file, as shipped under `models/`: the parameters under their official
/// names (safetensors, F32) and, in the file's metadata, everything needed to use it — the
/// experiment it was trained in (model, data, recipe), how long it trained, its validation curve
/// and the statistics of its training frames (to warn about inputs far from them).
public enum PretrainedModel {
    static let formatKey = "motionrnn.format"
    static let format = "motionrnn-swift pretrained model 1"
    static let experimentKey = "motionrnn.experiment"
    static let summaryKey = "motionrnn.training"
    static let statisticsKey = "motionrnn.frame-statistics"
    static let checkKey = "motionrnn.check"

    /// The model's scores on the first few test sequences when it was exported, so a test can
    /// tell whether the data, the model code or the metrics have changed since.
    public struct RegressionCheck: Codable, Equatable, Sendable {
        public var sequences: Int
        public var meanMSE: Double
        public var meanSSIM: Double

        /// Scores `trained` on the first `sequences` test sequences of its own experiment.
        public static func measure(_ trained: TrainedModel, sequences: Int) throws -> RegressionCheck {
            var experiment = trained.experiment
            experiment.testCount = sequences
            let testSet = try experiment.data.datasets(experiment.dataOptions).test
            let metrics = try Evaluation.run(trained.model, on: testSet, count: sequences,
                                             batchSize: experiment.training.batchSize,
                                             configuration: experiment.model, exampleCount: 0,
                                             options: MetricsOptions()).metrics
            return RegressionCheck(sequences: metrics.sequenceCount, meanMSE: metrics.mse.mean, meanSSIM: metrics.ssim.mean)
        }
    }

    /// How the model was trained, kept beside the parameters.
    public struct TrainingSummary: Codable, Equatable, Sendable {
        public var iteration: Int
        /// Training wall time summed over the run's sessions, when the run recorded it.
        public var trainingSeconds: Double?
        public var validation: [LossHistory.Point]
        /// The checkpoints whose parameters were averaged into the file (oldest first), or nil.
        public var averagedIterations: [Int]?
        /// The parameter file it was imported from (trained elsewhere), or nil.
        public var importedFrom: String?
        /// The runs that trained the parameters this run started from (`train --init-from`),
        /// oldest first; empty for a run from a random initialisation, nil when they could not
        /// be read at export (a starting file moved, or imported).
        public var earlierStages: [Stage]?
    }

    /// One run of a chain of fine-tunings: the model it left, as the next run named it.
    public struct Stage: Codable, Equatable, Sendable {
        /// The run folder or file the next run started from.
        public var model: String
        public var iterations: Int
        public var trainingSeconds: Double?

        public init(model: String, iterations: Int, trainingSeconds: Double?) {
            self.model = model
            self.iterations = iterations
            self.trainingSeconds = trainingSeconds
        }
    }

    /// The stages before a run that starts from `start` (named `name`, as `train --init-from`
    /// was given it): the runs before `start` (as it recorded them, or else followed through
    /// its `initFrom` in turn), then `start` itself. Nil when one of them cannot be read or
    /// was imported (trained elsewhere).
    public static func stages(through start: TrainedModel, named name: String) -> [Stage]? {
        stages(through: start, named: name, depth: 0)
    }

    private static func stages(through start: TrainedModel, named name: String, depth: Int) -> [Stage]? {
        // The depth bound stops a chain that names itself (a file exported over its own start).
        guard start.importedFrom == nil, depth < 64,
              let earlier = start.earlierStages ?? stages(before: start.experiment.initFrom, depth: depth + 1) else {
            return nil
        }
        return earlier + [Stage(model: name, iterations: start.iteration, trainingSeconds: start.history.trainingSeconds)]
    }

    /// `stages(through:named:)` of the model `initFrom` names, read now; empty without one.
    static func stages(before initFrom: String?, depth: Int = 0) -> [Stage]? {
        guard let initFrom else { return [] }
        guard let start = try? TrainedModel(runOrPretrained: initFrom) else { return nil }
        return stages(through: start, named: initFrom, depth: depth)
    }

    /// Writes the newest checkpoint of run folder `run` (or `checkpoint`, a checkpoint's .json)
    /// to `url`: parameters only, no optimizer state; with `averaging` > 1, the mean parameters
    /// of that checkpoint and the ones before it (`TrainedModel(run:checkpoint:averaging:)`).
    /// Makes the file's folder when it is missing. Returns what was written.
    @discardableResult
    public static func export(run: URL, checkpoint: URL? = nil, averaging: Int = 1, to url: URL) throws -> TrainedModel {
        let trained = try TrainedModel(run: run, checkpoint: checkpoint, averaging: averaging)
        try write(trained, to: url)
        return trained
    }

    /// Writes `trained` as a pretrained-model file, with the statistics of its experiment's
    /// training frames and its scores on the first test sequences.
    public static func write(_ trained: TrainedModel, to url: URL) throws {
        let train = try trained.experiment.data.datasets(trained.experiment.dataOptions).train
        let statistics = try FrameStatistics(of: train, sequences: 64)
        let summary = TrainingSummary(iteration: trained.iteration, trainingSeconds: trained.history.trainingSeconds,
                                      validation: trained.history.validation, averagedIterations: trained.averagedIterations,
                                      importedFrom: trained.importedFrom,
                                      earlierStages: trained.earlierStages ?? stages(before: trained.experiment.initFrom))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let check = try RegressionCheck.measure(trained, sequences: 8)
        let metadata = [
            formatKey: format,
            checkKey: String(decoding: try encoder.encode(check), as: UTF8.self),
            experimentKey: String(decoding: try encoder.encode(trained.experiment), as: UTF8.self),
            summaryKey: String(decoding: try encoder.encode(summary), as: UTF8.self),
            statisticsKey: String(decoding: try encoder.encode(statistics), as: UTF8.self),
        ]
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try SafetensorsFile.write(trained.model.stateDictionary(), metadata: metadata, to: url)
    }

    /// The file that `nameOrPath` names: an existing file, or `<name>.safetensors` in one of
    /// `searchDirectories`.
    public static func locate(_ nameOrPath: String, searchDirectories: [URL] = defaultDirectories()) throws -> URL {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: nameOrPath, isDirectory: &isDirectory), !isDirectory.boolValue {
            return URL(fileURLWithPath: nameOrPath)
        }
        let fileName = nameOrPath.hasSuffix(".safetensors") ? nameOrPath : nameOrPath + ".safetensors"
        for directory in searchDirectories {
            let candidate = directory.appendingPathComponent(fileName)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        let known = available(in: searchDirectories)
        throw ExperimentError(
            "no pretrained model '\(nameOrPath)': not a file, and not in \(searchDirectories.map(\.path).joined(separator: ", "))"
                + (known.isEmpty ? " (set MOTIONRNN_MODELS to the folder that holds the shipped models)"
                    : "; available: \(known.joined(separator: ", "))"))
    }

    /// Names of the models in `directories` (files ending in .safetensors), sorted.
    public static func available(in directories: [URL] = defaultDirectories()) -> [String] {
        let names = directories.flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasSuffix(".safetensors") }
                .map { String($0.dropLast(".safetensors".count)) }
        }
        return Array(Set(names)).sorted()
    }

    /// Where shipped models are looked for: `$MOTIONRNN_MODELS`, the `models` folder of the
    /// repository the executable was built in (found by walking up from it), `./models`.
    public static func defaultDirectories() -> [URL] {
        var directories: [URL] = []
        if let custom = ProcessInfo.processInfo.environment["MOTIONRNN_MODELS"], !custom.isEmpty {
            directories.append(URL(fileURLWithPath: custom))
        }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var folder = executable.deletingLastPathComponent()
            for _ in 0..<5 {
                let models = folder.appendingPathComponent("models")
                if FileManager.default.fileExists(atPath: models.appendingPathComponent("README.md").path) {
                    directories.append(models)
                    break
                }
                folder = folder.deletingLastPathComponent()
            }
        }
        directories.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("models"))
        var seen = Set<String>()
        return directories.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }

    /// Reads the metadata of a pretrained-model file.
    static func metadata(of file: SafetensorsFile) throws -> (experiment: Experiment, summary: TrainingSummary,
                                                              statistics: FrameStatistics?, check: RegressionCheck?) {
        let path = file.url.path
        guard file.metadata[formatKey] == format else {
            throw ExperimentError("\(path) is not a pretrained model of this tool (its metadata has no '\(formatKey)': \(format)); make one with `motionrnn export RUN`")
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let text = file.metadata[key] else {
                throw ExperimentError("\(path): metadata '\(key)' is missing")
            }
            do {
                return try JSONDecoder().decode(type, from: Data(text.utf8))
            } catch {
                throw ExperimentError("\(path): metadata '\(key)' is not readable (\(error))")
            }
        }
        return (try decode(Experiment.self, experimentKey), try decode(TrainingSummary.self, summaryKey),
                file.metadata[statisticsKey] == nil ? nil : try decode(FrameStatistics.self, statisticsKey),
                file.metadata[checkKey] == nil ? nil : try decode(RegressionCheck.self, checkKey))
    }
}
