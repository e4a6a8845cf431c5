import Engine
import Foundation
import Layers
import Metrics
import Predictor

/// The training loop of SPEC §7: Adam on the L1+L2 (or MSE) loss over all predicted frames,
/// scheduled sampling, optional reverse input, validation and checkpoints every N iterations.
/// Everything that decides the numbers (parameters, Adam's moments, the iteration, the mask
/// generator, the batch source's position) is saved in checkpoints, so `resume` continues
/// bit for bit where the run stopped.
public final class Trainer {
    public private(set) var configuration: TrainingConfiguration
    public let model: any SequencePredictor
    public let optimizer: Adam
    /// Iterations completed.
    public private(set) var iteration = 0
    public private(set) var history = LossHistory()
    /// Where checkpoints go; nil: none are written.
    public let checkpointStore: CheckpointStore?
    /// The state file of the newest checkpoint written or resumed from.
    public private(set) var lastCheckpoint: URL?
    public let progress: ProgressReporter
    /// The data-parallel processes this trainer is one of (nil: a single process). Every process
    /// draws the same global batch and mask, trains on its shard, and takes the same step with
    /// the gradients summed over all of them; rank 0 alone writes checkpoints.
    public let group: (any ProcessGroup)?

    private var batches: any BatchSource
    private let validationBatches: [Tensor]
    /// Draws the scheduled-sampling masks.
    private var random: RandomGenerator
    /// Tests turn this off to let finite out-of-range data reach the loss (the NaN-loss path).
    var checksValueRange = true
    /// Set when an iteration failed half-way: the state is then no longer one a checkpoint holds.
    private var failure: String?
    /// Where the `run` under way stops when that is before the configured end (progress lines).
    private var stopIteration: Int?

    /// A fresh run: the model built by `ModelFactory.make` from `configuration.seed`.
    /// `validation` batches are image-space `[B, T, H, W, C]` like the training ones.
    public init(configuration: TrainingConfiguration, batches: some BatchSource,
                validation: [Tensor] = [], checkpointDirectory: URL? = nil,
                progress: ProgressReporter = ProgressReporter(), group: (any ProcessGroup)? = nil) throws {
        try configuration.validate()
        if let group, group.size > configuration.batchSize {
            throw ModelConfigurationError(
                field: "batchSize", message: "\(configuration.batchSize) sequences cannot be shared by \(group.size) processes (each needs at least one)")
        }
        self.group = group
        self.configuration = configuration
        model = try ModelFactory.make(configuration.model, seed: configuration.seed)
        optimizer = Adam(namedParameters: model.namedParameters,
                         learningRate: configuration.learningRate)
        self.batches = batches
        validationBatches = validation
        checkpointStore = checkpointDirectory.map(CheckpointStore.init(directory:))
        self.progress = progress
        // A stream apart from the one that initialised the model.
        random = RandomGenerator(seed: configuration.seed ^ 0x5343_4845_4455_4C45)
        for (index, batch) in validation.enumerated() {
            try BatchCheck.check(batch, model: configuration.model, batchSize: nil,
                                 what: "validation batch \(index)")
        }
    }

    /// Continues the run saved in the newest complete checkpoint of `directory`, exactly.
    /// `configuration`, when given, must match the saved one except in
    /// `TrainingConfiguration.resumableFields` (e.g. more `iterations`); the error lists every
    /// field that differs. `batches` should be the same source (restored to its saved position
    /// when it is a `ResumableBatchSource`).
    public static func resume(from directory: URL, configuration: TrainingConfiguration? = nil,
                              batches: some BatchSource, validation: [Tensor] = [],
                              progress: ProgressReporter = ProgressReporter(),
                              group: (any ProcessGroup)? = nil) throws -> Trainer {
        let store = CheckpointStore(directory: directory)
        let loaded = try store.loadNewest()
        let saved = loaded.state
        let path = loaded.stateURL.path
        var effective = saved.configuration
        do {
            try effective.validate()
        } catch {
            throw CheckpointError(path: path, "holds an invalid configuration: \(error)")
        }
        if let configuration {
            let fixed = configuration.differences(from: saved.configuration)
                .filter { !TrainingConfiguration.resumableFields.contains($0.field) }
            guard fixed.isEmpty else {
                let list = fixed.map { "\($0.field): checkpoint \($0.other), requested \($0.this)" }
                throw CheckpointError(path: path, "was made with a different configuration; differing fields: "
                                      + list.joined(separator: "; "))
            }
            effective = configuration
        }
        let trainer = try Trainer(configuration: effective, batches: batches, validation: validation,
                                  checkpointDirectory: directory, progress: progress, group: group)
        try trainer.restore(loaded)
        return trainer
    }

    /// η of the last completed iteration (1 before the first).
    public var eta: Double { iteration == 0 ? 1 : configuration.samplingProbability(atIteration: iteration) }

    // MARK: Running

    /// Runs iterations up to `last` (default: the configuration's `iterations`), validating and
    /// checkpointing on schedule. `onIteration` is called after each one. With a `deadline`, the
    /// run stops after the first iteration that ends past it, and with `stopRequested` after the
    /// first one at whose end it returns true (e.g. `StopRequest.isPending`): at a checkpoint
    /// (when there is a checkpoint directory), so `resume` continues it. With a process group the
    /// ranks agree, so all stop at the same iteration. Returns the history.
    @discardableResult
    public func run(until last: Int? = nil, deadline: Date? = nil,
                    onIteration: ((Trainer) -> Void)? = nil, stopRequested: (() -> Bool)? = nil) throws -> LossHistory {
        let last = min(last ?? configuration.iterations, configuration.iterations)
        progress.begin(iteration: iteration)
        stopIteration = last < configuration.iterations ? last : nil
        defer { progress.finish(); stopIteration = nil }
        let checksStops = deadline != nil || stopRequested != nil
        while iteration < last {
            try trainIteration()
            onIteration?(self)
            guard checksStops else { continue }
            let budgetSpent = deadline.map { Date() >= $0 } ?? false
            if agreed(budgetSpent || stopRequested?() == true), iteration < last {
                if let url = try saveCheckpointUnlessSaved() {
                    progress.message("\(budgetSpent ? "time budget reached" : "stop requested"): checkpoint \(url.path)")
                }
                break
            }
        }
        return history
    }

    /// One iteration: a batch, its mask, an optimiser step (two with reverse input), then
    /// validation and a checkpoint when due. Returns the reported loss.
    @discardableResult
    public func trainIteration() throws -> Float {
        if let failure { throw TrainingError.trainerFailed(failure) }
        let started = Date()
        let next = iteration + 1
        optimizer.learningRate = configuration.learningRate(atIteration: next)
        let loss: Float
        do {
            let batch = try batches.nextBatch()
            try BatchCheck.check(batch, model: configuration.model, batchSize: configuration.batchSize,
                                 what: "training batch of iteration \(next)", checkRange: checksValueRange)
            let m = configuration.model
            let sampling = configuration.samplingSchedule(atIteration: next)
            let mask = ScheduledSampling.mask(
                batchSize: configuration.batchSize, probabilities: sampling.probabilities,
                patchHeight: m.patchHeight, patchWidth: m.patchWidth, frameChannels: m.frameChannels,
                using: &random
            ).map { Variable($0) }
            let (shard, shardMask) = self.shard(batch, mask: mask)
            let forward = try step(shard, mask: shardMask, maskedFrom: sampling.firstMaskedInput, iteration: next)
            if configuration.reverseInput {
                // The official trainer reuses the iteration's mask for the reversed batch.
                let backward = try step(reversedInTime(shard), mask: shardMask,
                                        maskedFrom: sampling.firstMaskedInput, iteration: next)
                loss = (forward + backward) / 2
            } else {
                loss = forward
            }
        } catch {
            failure = "iteration \(next): \(error)"
            throw error
        }
        iteration = next
        history.training.append(loss)
        history.trainingSeconds = (history.trainingSeconds ?? 0) + Date().timeIntervalSince(started)
        progress.update(iteration: next, total: configuration.iterations, stop: stopIteration, loss: loss,
                        learningRate: optimizer.learningRate, eta: eta)
        if configuration.validationInterval > 0 && next % configuration.validationInterval == 0
            && !validationBatches.isEmpty {
            let validation = validateFrames()
            history.validation.append(.init(iteration: next, loss: validation.loss, msePerFrame: validation.msePerFrame,
                                            seconds: history.trainingSeconds))
            let mse = validation.msePerFrame.reduce(0, +) / Float(max(1, validation.msePerFrame.count))
            progress.message("validation at iteration \(next): loss \(validation.loss), MSE per frame \(String(format: "%.1f", mse))")
        }
        if isWriter && checkpointStore != nil && configuration.schedulesCheckpoint(at: next) {
            let url = try saveCheckpoint()
            progress.message("checkpoint \(url.path)")
        }
        return loss
    }

    /// One optimiser step on `batch`, `mask` mixing the model's predictions into its inputs from
    /// input `maskedFrom` on; throws (before touching the parameters) if the loss is not finite.
    private func step(_ batch: Tensor, mask: Variable?, maskedFrom: Int, iteration: Int) throws -> Float {
        let m = configuration.model
        let frames = Variable(Patching.patchify(batch, patchSize: m.patchSize))
        optimizer.zeroGradients()
        // The predictor feeds true frames before the first masked input, so that is its "input
        // length" here (1 with reverse scheduled sampling, as the official model's t = 0 case).
        let (predictions, auxiliaryLoss) = model.predictWithAuxiliaryLoss(frames: frames, mask: mask,
                                                                          inputLength: maskedFrom)
        let target = slice(frames, range: 1..<m.totalLength, axis: 1)
        let frameLoss = Self.loss(configuration, patchSize: m.patchSize)(predictions, target)
        // PredRNN-v2's decoupling term joins the loss it trains on (as the official forward's).
        let loss = auxiliaryLoss.map { frameLoss + $0 } ?? frameLoss
        // With a process group the loss is the global batch's (each shard's mean weighted by its
        // share), so that every process takes the same decision below.
        let share = Float(batch.shape[0]) / Float(configuration.batchSize)
        let value = group.map { group in
            var weighted = [Double(share * loss.value.scalar)]
            group.allReduceSum(&weighted)
            return Float(weighted[0])
        } ?? loss.value.scalar
        guard value.isFinite else {
            throw TrainingError.nonFiniteLoss(iteration: iteration, loss: value,
                                              lastCheckpoint: lastCheckpoint?.path)
        }
        loss.backward()
        if let group {
            GradientReduction.sum(model.parameters, weight: share, over: group)
        }
        optimizer.step()
        return value
    }

    // MARK: Data parallelism

    /// Whether this process writes checkpoints: the only one, or rank 0 of a group.
    public var isWriter: Bool { (group?.rank ?? 0) == 0 }

    /// This process's sequences of the global batch and of its mask (all of them without a group).
    private func shard(_ batch: Tensor, mask: Variable?) -> (Tensor, Variable?) {
        guard let group, group.size > 1 else { return (batch, mask) }
        let range = group.shard(ofBatch: configuration.batchSize)
        let part = Concatenation.slice(batch, start: range.lowerBound, length: range.count, axis: 0)
        return (part, mask.map { slice($0, range: range, axis: 0) })
    }

    /// A yes/no decision every process takes the same way: yes if any process says yes.
    private func agreed(_ decision: Bool) -> Bool {
        guard let group else { return decision }
        return group.allReduceMax(decision ? 1 : 0) == 1
    }

    /// The configured loss of predicted against true frames, both `[B, T, …]` in patches of
    /// `patchSize` (1: plain frames); the GDL term is taken on the frames.
    static func loss(_ configuration: TrainingConfiguration, patchSize: Int) -> (Variable, Variable) -> Variable {
        switch configuration.loss {
        case .l1l2: return l1PlusL2Loss
        case .mse: return mseLoss
        case .mseGDL:
            let weight = Float(configuration.gdlWeight)
            return { prediction, target in
                let edges = gradientDifferenceLoss(unpatchify(prediction, patchSize: patchSize),
                                                   unpatchify(target, patchSize: patchSize))
                return mseLoss(prediction, target) + weight * edges
            }
        }
    }

    // MARK: Validation

    /// The configured loss over the prediction window, the model feeding on itself (as at test
    /// time), averaged over the validation batches. NaN when there are none.
    public func validate() -> Float { validateFrames().loss }

    /// The validation loss and SPEC §9's MSE of each predicted frame, averaged over the
    /// validation sequences (NaN and empty when there are none).
    public func validateFrames() -> (loss: Float, msePerFrame: [Float]) {
        guard !validationBatches.isEmpty else { return (.nan, []) }
        let lossFunction = Self.loss(configuration, patchSize: 1)
        var total = 0.0, sequences = 0
        let frames = configuration.model.totalLength - configuration.model.inputLength
        var squaredErrors = [Double](repeating: 0, count: frames)
        // With a process group each process scores every size-th batch; the sums are reduced.
        let (rank, size) = (group?.rank ?? 0, group?.size ?? 1)
        for batch in validationBatches.enumerated().filter({ $0.offset % size == rank }).map(\.element) {
            let (truth, prediction) = Evaluator.predict(model, batch: batch, configuration: configuration.model)
            total += Double(withoutGradients { lossFunction(Variable(prediction), Variable(truth)) }.value.scalar)
            let count = truth.shape[0]
            let frameSize = truth.count / max(1, count * frames)
            let clipped = UnsafeMutablePointer<Float>.allocate(capacity: frameSize)
            defer { clipped.deallocate() }
            for sequence in 0..<count {
                for frame in 0..<frames {
                    let offset = (sequence * frames + frame) * frameSize
                    squaredErrors[frame] += PixelMetrics.clipAndErrorSums(
                        truth: truth.pointer + offset, prediction: prediction.pointer + offset,
                        clipped: clipped, count: frameSize).squared
                }
            }
            sequences += count
        }
        if let group {
            var sums = [total, Double(sequences)] + squaredErrors
            group.allReduceSum(&sums)
            (total, sequences, squaredErrors) = (sums[0], Int(sums[1]), Array(sums.dropFirst(2)))
        }
        return (Float(total / Double(validationBatches.count)),
                squaredErrors.map { Float($0 / Double(max(1, sequences))) })
    }

    // MARK: Checkpoints

    /// Writes a checkpoint of the current state and prunes old ones. Refuses (writing nothing)
    /// if any parameter or optimiser moment is NaN or infinite.
    @discardableResult
    public func saveCheckpoint() throws -> URL {
        if let failure { throw TrainingError.trainerFailed(failure) }
        precondition(isWriter, "Trainer.saveCheckpoint: only rank 0 of a process group writes checkpoints")
        guard let store = checkpointStore else {
            preconditionFailure("Trainer.saveCheckpoint: no checkpoint directory was given")
        }
        var tensors = model.stateDictionary()
        for (name, tensor) in optimizer.stateTensors() {
            tensors[CheckpointStore.optimizerPrefix + name] = tensor
        }
        for (name, tensor) in tensors.sorted(by: { $0.key < $1.key }) where !Self.allFinite(tensor) {
            throw TrainingError.nonFiniteParameters(iteration: iteration, name: name,
                                                    lastCheckpoint: lastCheckpoint?.path)
        }
        let resumable = batches as? any ResumableBatchSource
        let state = CheckpointState(
            iteration: iteration, eta: eta, trainerRandomState: random.state,
            batchSourceState: resumable?.state, configuration: configuration,
            lossHistory: history, tensorsFile: "", tensorsFileSize: 0)
        let url = try store.write(tensors: tensors, state: state)
        lastCheckpoint = url
        try store.prune(keep: configuration.keepCheckpoints)
        return url
    }

    /// Writes a checkpoint of the current state unless the last one written or restored holds it
    /// (or this process writes none); returns the new checkpoint.
    @discardableResult
    public func saveCheckpointUnlessSaved() throws -> URL? {
        guard isWriter, let store = checkpointStore,
              lastCheckpoint?.path != store.stateURL(iteration: iteration).path else { return nil }
        return try saveCheckpoint()
    }

    /// Puts the trainer into the state a checkpoint holds.
    private func restore(_ loaded: CheckpointStore.Loaded) throws {
        let path = loaded.stateURL.path
        let state = loaded.state
        let tensorsPath = loaded.stateURL.deletingLastPathComponent()
            .appendingPathComponent(state.tensorsFile).path
        var parameters: [String: Tensor] = [:], optimizerState: [String: Tensor] = [:]
        for (name, tensor) in loaded.tensors {
            if name.hasPrefix(CheckpointStore.optimizerPrefix) {
                optimizerState[String(name.dropFirst(CheckpointStore.optimizerPrefix.count))] = tensor
            } else {
                parameters[name] = tensor
            }
        }
        let expected = Set(model.namedParameters.map(\.name))
        if let extra = parameters.keys.sorted().first(where: { !expected.contains($0) }) {
            throw CheckpointError(path: tensorsPath, "holds '\(extra)', which this model does not have")
        }
        do {
            try model.loadParameters(from: parameters, source: tensorsPath)
            try optimizer.loadState(optimizerState)
        } catch let error as ParameterLoadingError {
            throw CheckpointError(path: tensorsPath, error.problem)
        } catch let error as OptimizerStateError {
            throw CheckpointError(path: tensorsPath, "optimizer state: \(error.message)")
        }
        do {
            random = try RandomGenerator(state: state.trainerRandomState)
        } catch {
            throw CheckpointError(path: path, "trainerRandomState: \(error)")
        }
        if var resumable = batches as? any ResumableBatchSource {
            guard let sourceState = state.batchSourceState else {
                throw CheckpointError(path: path, "holds no batch source state, but the batch source is resumable")
            }
            try resumable.restore(sourceState)
            batches = resumable
        }
        guard state.lossHistory.training.count == state.iteration else {
            throw CheckpointError(path: path, "its loss history has \(state.lossHistory.training.count) "
                                  + "training entries for \(state.iteration) iterations")
        }
        iteration = state.iteration
        history = state.lossHistory
        lastCheckpoint = loaded.stateURL
    }

    private static func allFinite(_ tensor: Tensor) -> Bool {
        let values = tensor.pointer
        for i in 0..<tensor.count where !values[i].isFinite { return false }
        return true
    }
}
