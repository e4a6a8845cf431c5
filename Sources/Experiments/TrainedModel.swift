import Foundation
import Predictor
import Training

/// A model restored from a run folder: the experiment it belongs to and the parameters of its
/// newest complete checkpoint (or of a given checkpoint's `.json`).
public struct TrainedModel {
    public let experiment: Experiment
    public let model: any SequencePredictor
    public let iteration: Int
    public let history: LossHistory
    public let checkpoint: URL

    public init(run: URL, checkpoint: URL? = nil) throws {
        let experimentURL = ExperimentRunner.experimentURL(in: run)
        guard FileManager.default.fileExists(atPath: experimentURL.path) else {
            throw ExperimentError("\(run.path) is not a training run: it has no experiment.json (make one with `motionrnn train --output \(run.path)`)")
        }
        experiment = try Self.savedExperiment(in: run)
        let store = CheckpointStore(directory: ExperimentRunner.checkpointDirectory(in: run))
        let loaded = try checkpoint.map { try store.load(stateURL: $0) } ?? store.loadNewest()
        let configuration = loaded.state.configuration.model
        let model = try ModelFactory.make(configuration, seed: loaded.state.configuration.seed)
        try model.loadParameters(from: loaded.tensors, source: loaded.stateURL.path)
        self.model = model
        iteration = loaded.state.iteration
        history = loaded.state.lossHistory
        self.checkpoint = loaded.stateURL
    }
}

extension TrainedModel {
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
