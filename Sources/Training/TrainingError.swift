/// Why training stopped or could not start. Every message names what is at fault (the
/// iteration, the batch, the file) and, where it matters, what was kept.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A batch with the wrong shape or non-finite values; `what` names the batch.
    case invalidBatch(_ what: String, _ problem: String)
    /// The loss became NaN or ±∞; nothing of this iteration was saved.
    case nonFiniteLoss(iteration: Int, loss: Float, lastCheckpoint: String?)
    /// A parameter or optimiser moment is NaN or ±∞; no checkpoint was written.
    case nonFiniteParameters(iteration: Int, name: String, lastCheckpoint: String?)
    /// A batch source's saved position does not fit it.
    case invalidBatchSourceState(String)
    /// A method was called on a trainer that stopped with an error mid-iteration.
    case trainerFailed(String)

    public var description: String {
        switch self {
        case .invalidBatch(let what, let problem):
            return "invalid data: the \(what) \(problem)"
        case .nonFiniteLoss(let iteration, let loss, let checkpoint):
            return "training stopped at iteration \(iteration): the loss is \(loss). "
                + kept(checkpoint)
                + " Try a smaller learning rate, or check the data."
        case .nonFiniteParameters(let iteration, let name, let checkpoint):
            return "training stopped at iteration \(iteration): parameter '\(name)' holds NaN or "
                + "infinite values, so no checkpoint was written. " + kept(checkpoint)
        case .invalidBatchSourceState(let message):
            return "cannot restore the batch source: \(message)"
        case .trainerFailed(let reason):
            return "this trainer stopped with an error and cannot continue (\(reason)); "
                + "resume from its last checkpoint instead"
        }
    }

    private func kept(_ checkpoint: String?) -> String {
        if let checkpoint { return "The last good checkpoint is kept: \(checkpoint)." }
        return "No checkpoint had been written yet."
    }
}

/// A checkpoint that cannot be used: missing, incomplete, corrupt, or from another run.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file or directory at fault.
    public let path: String
    public let problem: String

    public init(path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "checkpoint \(path): \(problem)" }
}
