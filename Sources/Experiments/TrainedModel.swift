import Engine
import Foundation
import Predictor
import Training

/// A trained model ready to use: the experiment it belongs to and its parameters, restored from
/// a run folder (its newest complete checkpoint, or a given checkpoint's `.json`) or from a
/// pretrained-model file (`PretrainedModel`).
public struct TrainedModel {
    public let experiment: Experiment
    public let model: any SequencePredictor
    public let iteration: Int
    public let history: LossHistory
    /// The checkpoint's `.json` or the pretrained-model file.
    public let checkpoint: URL
    /// Statistics of the training frames, when the source recorded them (pretrained files).
    public let trainingFrames: FrameStatistics?
    /// The scores recorded when a pretrained file was exported.
    public let recordedCheck: PretrainedModel.RegressionCheck?
    /// The checkpoints whose parameters were averaged into this model (oldest first), or nil
    /// for one checkpoint's own.
    public let averagedIterations: [Int]?
    /// The file its parameters were imported from (`motionrnn import`: trained elsewhere, so
    /// `iteration` and `history` say nothing), or nil.
    public let importedFrom: String?
    /// The runs before this one in a chain of fine-tunings, as its run recorded them when it
    /// started (`Experiment.earlierStages`) or its pretrained file holds them; nil when unknown.
    public let earlierStages: [PretrainedModel.Stage]?

    /// The model of run folder `run` at its newest complete checkpoint, or at `checkpoint`.
    /// With `averaging` > 1, its parameters are the mean of those of that checkpoint and the
    /// `averaging - 1` complete ones before it on the checkpoint schedule (those a run wrote
    /// when it stopped early are left out, so the mean does not depend on when sessions ended):
    /// along a run at a constant learning rate such an average (stochastic weight averaging,
    /// Izmailov et al. 2018) often predicts better than any one of them. The model then holds
    /// the averaged parameters, everything else is that checkpoint's.
    public init(run: URL, checkpoint: URL? = nil, averaging: Int = 1) throws {
        let experimentURL = ExperimentRunner.experimentURL(in: run)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: run.path, isDirectory: &isFolder) else {
            throw ExperimentError("\(run.path): no such run folder")
        }
        guard isFolder.boolValue else {
            throw ExperimentError("\(run.path) is a file, not a run folder"
                                  + (run.pathExtension == "safetensors" ? " (a pretrained model file: this needs the run folder it was exported from)" : ""))
        }
        guard FileManager.default.fileExists(atPath: experimentURL.path) else {
            throw ExperimentError("\(run.path) is not a training run: it has no experiment.json (make one with `motionrnn train --output \(run.path)`)")
        }
        experiment = try Self.savedExperiment(in: run)
        let store = CheckpointStore(directory: ExperimentRunner.checkpointDirectory(in: run))
        let loaded = try checkpoint.map { try store.load(stateURL: $0) } ?? store.loadNewest()
        let configuration = loaded.state.configuration.model
        let model = try ModelFactory.make(configuration, seed: loaded.state.configuration.seed)
        try model.loadParameters(from: loaded.tensors, source: loaded.stateURL.path)
        if averaging > 1 {
            let schedule = loaded.state.configuration
            let iterations = try store.completeIterations().filter {
                $0 == loaded.state.iteration || ($0 < loaded.state.iteration && schedule.schedulesCheckpoint(at: $0))
            }.suffix(averaging)
            guard iterations.count == averaging else {
                throw ExperimentError("\(store.directory.path) holds \(iterations.count) complete checkpoints on its schedule (every \(schedule.checkpointInterval) iterations) up to iteration \(loaded.state.iteration), fewer than the \(averaging) to average")
            }
            var sum = ParameterSum(model.namedParameters.map { ($0.name, $0.parameter.value.count) })
            for iteration in iterations {
                let other = iteration == loaded.state.iteration ? loaded : try store.load(stateURL: store.stateURL(iteration: iteration))
                try sum.add(other.tensors, source: other.stateURL.path)
            }
            try model.loadParameters(from: sum.mean(shapedLike: loaded.tensors), source: "the average of \(averaging) checkpoints")
            averagedIterations = Array(iterations)
        } else {
            averagedIterations = nil
        }
        self.model = model
        iteration = loaded.state.iteration
        history = loaded.state.lossHistory
        self.checkpoint = loaded.stateURL
        trainingFrames = nil
        recordedCheck = nil
        importedFrom = nil
        earlierStages = experiment.earlierStages
    }

    /// A pretrained model: `nameOrPath` is a file or the name of a shipped model (`PretrainedModel.locate`).
    public init(pretrained nameOrPath: String) throws {
        let url = try PretrainedModel.locate(nameOrPath)
        let file = try SafetensorsFile.read(from: url)
        let (experiment, summary, statistics, check) = try PretrainedModel.metadata(of: file)
        let model = try ModelFactory.make(experiment.model, seed: experiment.training.seed)
        let expected = Set(model.namedParameters.map(\.name))
        if let extra = file.tensors.keys.sorted().first(where: { !expected.contains($0) }) {
            throw ExperimentError("\(url.path) holds '\(extra)', which the model its metadata describes does not have")
        }
        try model.loadParameters(from: file.tensors, source: url.path)
        self.experiment = experiment
        self.model = model
        iteration = summary.iteration
        var history = LossHistory()
        history.validation = summary.validation
        history.trainingSeconds = summary.trainingSeconds
        self.history = history
        checkpoint = url
        trainingFrames = statistics
        recordedCheck = check
        averagedIterations = summary.averagedIterations
        importedFrom = summary.importedFrom
        earlierStages = summary.earlierStages ?? experiment.earlierStages
    }
}

extension TrainedModel {
    /// How long it trained, as reports say it: "trained 3000 iterations", after earlier runs of
    /// a chain of fine-tunings "trained 29000 iterations in 4 runs (this one 3000)".
    public var trainingDescription: String {
        if let importedFrom { return "imported from \(importedFrom), trained elsewhere" }
        guard let earlier = earlierStages, !earlier.isEmpty else {
            return "trained \(iteration) iterations" + (experiment.initFrom.map { " from the parameters of \($0)" } ?? "")
        }
        let total = earlier.map(\.iterations).reduce(iteration, +)
        return "trained \(total) iterations in \(earlier.count + 1) runs (this one \(iteration))"
    }

    /// Names for models given as run folders, files or shipped names, as reports show them: the
    /// last path component, without the `.safetensors` of an exported file (a run folder keeps
    /// its dots: `gdl-0.5`); where two would be the same, the locations as given.
    public static func labels(for locations: [String]) -> [String] {
        let leaves = locations.map { location -> String in
            let leaf = URL(fileURLWithPath: location).lastPathComponent
            return leaf.hasSuffix(".safetensors") ? String(leaf.dropLast(".safetensors".count)) : leaf
        }
        return zip(leaves, locations).map { leaf, location in
            leaves.filter { $0 == leaf }.count > 1 ? location : leaf
        }
    }

    /// A run folder (one holding experiment.json) or a pretrained model's name or file.
    public init(runOrPretrained location: String) throws {
        let folder = URL(fileURLWithPath: location)
        if FileManager.default.fileExists(atPath: ExperimentRunner.experimentURL(in: folder).path) {
            try self.init(run: folder)
        } else {
            try self.init(pretrained: location)
        }
    }

    /// The experiment saved in a run folder.
    public static func savedExperiment(in run: URL) throws -> Experiment {
        let url = ExperimentRunner.experimentURL(in: run)
        do {
            return try JSONDecoder().decode(Experiment.self, from: Data(contentsOf: url))
        } catch {
            throw ExperimentError("\(url.path): no readable experiment description (\(error))")
        }
    }
}
