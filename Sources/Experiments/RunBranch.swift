import Engine
import Foundation
import Training

extension ExperimentRunner {
    /// Starts run folder `run` as a branch of another run at one of its checkpoints, so that
    /// `train(…, resume: true)` continues from there in `run` and the other run is left as it is
    /// (e.g. a longer constant learning rate from where a run began its cool-down).
    ///
    /// `source` is a checkpoint's state file (`RUN/checkpoints/checkpoint-<iteration>.json`) or a
    /// run folder (its newest checkpoint). The branch gets that run's experiment with the training
    /// configuration the checkpoint recorded — the plan as it was at that iteration, not a later
    /// re-plan — and a copy of the checkpoint; its history starts with where it came from. A
    /// branch continued unchanged ends where the source run would have ended with that plan.
    /// `adjust` may change the experiment as a resume may (e.g. another number of iterations)
    /// before anything is written. `run` must hold no checkpoints yet. Returns the branch's
    /// experiment, already written.
    ///
    /// Unlike a resume, a branch may also change the MotionGRU's bound (`motion.bound`): it holds
    /// no parameters, so the checkpoint's tensors fit either way (e.g. fine-tuning with a bounded
    /// motion filter from where an unbounded run began its cool-down). The copy of the checkpoint
    /// then records the branch's model. Other model changes are refused.
    @discardableResult
    public static func branch(from source: URL, into run: URL,
                              adjusting adjust: (inout Experiment) throws -> Void = { _ in }) throws -> Experiment {
        let sourceCheckpoint = try checkpointStateURL(named: source)
        let sourceRun = sourceCheckpoint.deletingLastPathComponent().deletingLastPathComponent()
        var experiment = try TrainedModel.savedExperiment(in: sourceRun)
        let loaded = try CheckpointStore(directory: sourceCheckpoint.deletingLastPathComponent())
            .load(stateURL: sourceCheckpoint)
        let target = CheckpointStore(directory: checkpointDirectory(in: run))
        if let existing = try? target.completeIterations(), !existing.isEmpty {
            throw ExperimentError("\(target.directory.path) already holds checkpoints: branch into a new --output folder")
        }
        experiment.training = loaded.state.configuration
        experiment.history = ["\(ISO8601DateFormatter().string(from: Date())): branched from "
                              + "\(sourceCheckpoint.path) (iteration \(loaded.state.iteration))"]
        try adjust(&experiment)
        guard experiment.training.model.withoutMotionBound == loaded.state.configuration.model.withoutMotionBound else {
            throw ExperimentError("a branch of \(sourceCheckpoint.path) keeps its model (only the motion bound may change)")
        }
        try experiment.validate()
        var state = loaded.state
        state.configuration.model = experiment.training.model
        // The experiment first: a branch cut short holds no checkpoint, so it is never resumed
        // half made, and branching again into it is allowed.
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let lock = try RunLock(run: run)
        try AtomicFile.write(try JSONEncoder.pretty.encode(experiment), to: experimentURL(in: run))
        try target.write(tensors: loaded.tensors, state: state)
        withExtendedLifetime(lock) {}
        return experiment
    }

    /// The checkpoint state file `source` names: itself, or a run folder's newest.
    private static func checkpointStateURL(named source: URL) throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw ExperimentError("\(source.path): no such checkpoint or run folder")
        }
        guard isDirectory.boolValue else {
            guard source.pathExtension == "json", source.deletingLastPathComponent().lastPathComponent == "checkpoints" else {
                throw ExperimentError("\(source.path): not a checkpoint state file (a run's checkpoints/checkpoint-<iteration>.json) nor a run folder")
            }
            return source
        }
        let store = CheckpointStore(directory: checkpointDirectory(in: source))
        guard let newest = try store.completeIterations().last else {
            throw ExperimentError("\(source.path): a folder without checkpoints (a run folder holds checkpoints/checkpoint-<iteration>.json)")
        }
        return store.stateURL(iteration: newest)
    }
}
