import Foundation
import Predictor

/// Everything that decides what a training run computes (SPEC §7): the model, the optimiser,
/// the loss, scheduled sampling, reverse input, and how often to validate and checkpoint.
/// Stored whole in every checkpoint, so a resumed run can check it continues the same run.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// The training loss over all `T − 1` predicted frames (SPEC §2).
    public enum Loss: String, Codable, CaseIterable, Sendable {
        /// mean |d| + mean d², the paper's default.
        case l1l2
        /// mean d², what the official code uses.
        case mse
        /// mean d² + `gdlWeight` · the gradient difference loss on the frames
        /// (`gradientDifferenceLoss`, Mathieu et al. 2016): MSE that also asks for sharp edges.
        case mseGDL = "mse+gdl"
    }

    /// How the step size moves over a run: a linear warm-up from 0, then constant or a cosine
    /// decay to `finalFraction` of the peak at the run's last iteration.
    public struct LearningRateSchedule: Codable, Equatable, Sendable {
        public enum Decay: String, Codable, CaseIterable, Sendable {
            case constant, cosine
        }

        public var warmupIterations: Int
        public var decay: Decay
        /// The cosine decay's end point as a fraction of the peak rate.
        public var finalFraction: Double
        /// Where the cosine decay begins; until then the rate stays at the peak (a warm-up,
        /// stable, decay schedule: a long run can be cooled down at the end it turns out to
        /// have, by resuming with a decay that starts where it stands). Nil: after the warm-up.
        public var decayStartIteration: Int?

        public init(warmupIterations: Int = 0, decay: Decay = .constant, finalFraction: Double = 0.05,
                    decayStartIteration: Int? = nil) {
            self.warmupIterations = warmupIterations
            self.decay = decay
            self.finalFraction = finalFraction
            self.decayStartIteration = decayStartIteration
        }

        /// The paper's: a constant rate.
        public static let constant = LearningRateSchedule()

        /// The step size of (1-based) `iteration` of a run of `iterations` with peak `rate`.
        public func rate(atIteration iteration: Int, of iterations: Int, peak rate: Double) -> Double {
            if iteration <= warmupIterations {
                return rate * Double(iteration) / Double(warmupIterations)
            }
            switch decay {
            case .constant:
                return rate
            case .cosine:
                let start = max(warmupIterations, decayStartIteration ?? 0)
                guard iteration > start else { return rate }
                let span = max(1, iterations - start)
                let progress = min(1, Double(iteration - start) / Double(span))
                return rate * (finalFraction + (1 - finalFraction) * 0.5 * (1 + cos(.pi * progress)))
            }
        }
    }

    public var model: ModelConfiguration
    /// Adam's peak step size (paper: 3·10⁻⁴).
    public var learningRate: Double
    /// Warm-up and decay of the step size (paper: none).
    public var learningRateSchedule: LearningRateSchedule
    /// Sequences per batch (paper: 8). Every batch from the source must have exactly this many.
    public var batchSize: Int
    /// Total iterations of the run (paper: 100 000).
    public var iterations: Int
    public var loss: Loss
    /// The weight of the gradient difference term of `Loss.mseGDL` (unused by the others).
    public var gdlWeight: Double
    /// How much η, the probability of feeding a true frame in the prediction window, falls per
    /// iteration (paper: 2·10⁻⁵).
    public var samplingDelta: Double
    /// From this iteration on η is 0 (paper: 50 000).
    public var samplingStopIteration: Int
    /// PredRNN-v2's reverse scheduled sampling, which replaces the schedule above (nil: off).
    public var reverseSampling: ReverseScheduledSampling?
    /// Each iteration also takes an optimiser step on the time-reversed batch.
    public var reverseInput: Bool
    /// Validate every this many iterations (0: never).
    public var validationInterval: Int
    /// Write a checkpoint every this many iterations (0: only at the end of the run).
    public var checkpointInterval: Int
    /// Complete checkpoints to keep; older ones are deleted.
    public var keepCheckpoints: Int
    /// Seeds the model's initialisation and the trainer's scheduled-sampling draws.
    public var seed: UInt64

    public init(model: ModelConfiguration, learningRate: Double = 3e-4, batchSize: Int = 8,
                iterations: Int = 100_000, loss: Loss = .l1l2, samplingDelta: Double = 2e-5,
                samplingStopIteration: Int = 50_000, reverseInput: Bool = true,
                validationInterval: Int = 5_000, checkpointInterval: Int = 5_000,
                keepCheckpoints: Int = 3, seed: UInt64 = 1,
                learningRateSchedule: LearningRateSchedule = .constant, gdlWeight: Double = 1,
                reverseSampling: ReverseScheduledSampling? = nil) {
        self.model = model
        self.learningRate = learningRate
        self.learningRateSchedule = learningRateSchedule
        self.batchSize = batchSize
        self.iterations = iterations
        self.loss = loss
        self.gdlWeight = gdlWeight
        self.samplingDelta = samplingDelta
        self.samplingStopIteration = samplingStopIteration
        self.reverseSampling = reverseSampling
        self.reverseInput = reverseInput
        self.validationInterval = validationInterval
        self.checkpointInterval = checkpointInterval
        self.keepCheckpoints = keepCheckpoints
        self.seed = seed
    }

    /// Whether `iteration` is on the checkpoint schedule (every `checkpointInterval` iterations,
    /// and the last), unlike the checkpoints a run writes when it stops early (a time budget, a
    /// stop request, --stop-at), which depend on when sessions ended.
    public func schedulesCheckpoint(at iteration: Int) -> Bool {
        (checkpointInterval > 0 && iteration % checkpointInterval == 0) || iteration == iterations
    }

    /// Scales the paper's schedule to a shorter run: η falls linearly from 1 to 0 over the first
    /// `fraction` of `iterations` (the paper: 50 000 of 100 000, so fraction ½).
    public mutating func scaleSampling(toFraction fraction: Double = 0.5) {
        samplingStopIteration = max(1, Int((Double(iterations) * fraction).rounded()))
        samplingDelta = 1 / Double(samplingStopIteration)
    }

    /// η at (1-based) `iteration`, as the official trainer computes it: it subtracts the delta
    /// before drawing each iteration's mask, and sets η to 0 from the stop iteration on (with
    /// reverse scheduled sampling, its η). Computed from the iteration, not accumulated, so a
    /// resumed run gets exactly the same η.
    public func samplingProbability(atIteration iteration: Int) -> Double {
        if let reverseSampling { return reverseSampling.forecastProbability(atIteration: iteration) }
        guard iteration < samplingStopIteration else { return 0 }
        return max(0, 1 - samplingDelta * Double(iteration))
    }

    /// The inputs (1-based) `iteration` may feed the model its own predictions at: from
    /// `firstMaskedInput` on (the first after the input window; with reverse scheduled sampling,
    /// input 1), step s taking the true frame with probability `probabilities[s]`.
    public func samplingSchedule(atIteration iteration: Int) -> (firstMaskedInput: Int, probabilities: [Double]) {
        let forecast = Array(repeating: samplingProbability(atIteration: iteration),
                             count: max(0, model.totalLength - model.inputLength - 1))
        guard let reverseSampling else { return (model.inputLength, forecast) }
        let encoder = Array(repeating: reverseSampling.encoderProbability(atIteration: iteration),
                            count: model.inputLength - 1)
        return (1, encoder + forecast)
    }

    /// Adam's step size at (1-based) `iteration`.
    public func learningRate(atIteration iteration: Int) -> Double {
        learningRateSchedule.rate(atIteration: iteration, of: iterations, peak: learningRate)
    }

    /// Throws the first problem found, naming the field (the model's own checks included).
    public func validate() throws {
        func fail(_ field: String, _ message: String) -> ModelConfigurationError {
            ModelConfigurationError(field: field, message: message)
        }
        try model.validate()
        guard learningRate.isFinite, learningRate > 0 else {
            throw fail("learningRate", "must be a positive number, got \(learningRate)")
        }
        let schedule = learningRateSchedule
        guard schedule.warmupIterations >= 0 else {
            throw fail("learningRateSchedule.warmupIterations", "must not be negative, got \(schedule.warmupIterations)")
        }
        guard schedule.finalFraction.isFinite, (0...1).contains(schedule.finalFraction) else {
            throw fail("learningRateSchedule.finalFraction", "must be in [0, 1], got \(schedule.finalFraction)")
        }
        if let start = schedule.decayStartIteration {
            guard schedule.decay == .cosine else {
                throw fail("learningRateSchedule.decayStartIteration", "needs the cosine decay (the rate is otherwise constant)")
            }
            guard (0..<iterations).contains(start) else {
                throw fail("learningRateSchedule.decayStartIteration", "must be in 0..<\(iterations) (the run's iterations), got \(start)")
            }
        }
        for (field, value) in [("batchSize", batchSize), ("iterations", iterations),
                               ("keepCheckpoints", keepCheckpoints)] where value < 1 {
            throw fail(field, "must be at least 1, got \(value)")
        }
        guard gdlWeight.isFinite, gdlWeight > 0 else {
            throw fail("gdlWeight", "must be a positive number, got \(gdlWeight)")
        }
        guard samplingDelta.isFinite, samplingDelta >= 0 else {
            throw fail("samplingDelta", "must be a non-negative number, got \(samplingDelta)")
        }
        if let problem = reverseSampling?.problem() {
            throw fail("reverseSampling.\(problem.field)", problem.message)
        }
        for (field, value) in [("samplingStopIteration", samplingStopIteration),
                               ("validationInterval", validationInterval),
                               ("checkpointInterval", checkpointInterval)] where value < 0 {
            throw fail(field, "must not be negative, got \(value)")
        }
    }

    /// Fields that may change when a run is resumed: they decide how long and how visibly it
    /// runs, and how the learning rate decays from there on (a re-plan), not what the model or
    /// an iteration's data are.
    public static let resumableFields: Set<String> = [
        "iterations", "validationInterval", "checkpointInterval", "keepCheckpoints",
        "learningRateSchedule.decay", "learningRateSchedule.decayStartIteration", "learningRateSchedule.finalFraction",
    ]

    private enum CodingKeys: String, CodingKey {
        case model, learningRate, learningRateSchedule, batchSize, iterations, loss, gdlWeight, samplingDelta,
             samplingStopIteration, reverseSampling, reverseInput, validationInterval, checkpointInterval,
             keepCheckpoints, seed
    }

    // Runs saved before the schedule existed trained at a constant rate; before the GDL term,
    // its weight was unused; before reverse scheduled sampling, it was off.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(ModelConfiguration.self, forKey: .model)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        learningRateSchedule = try c.decodeIfPresent(LearningRateSchedule.self, forKey: .learningRateSchedule) ?? .constant
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        iterations = try c.decode(Int.self, forKey: .iterations)
        loss = try c.decode(Loss.self, forKey: .loss)
        gdlWeight = try c.decodeIfPresent(Double.self, forKey: .gdlWeight) ?? 1
        samplingDelta = try c.decode(Double.self, forKey: .samplingDelta)
        samplingStopIteration = try c.decode(Int.self, forKey: .samplingStopIteration)
        reverseSampling = try c.decodeIfPresent(ReverseScheduledSampling.self, forKey: .reverseSampling)
        reverseInput = try c.decode(Bool.self, forKey: .reverseInput)
        validationInterval = try c.decode(Int.self, forKey: .validationInterval)
        checkpointInterval = try c.decode(Int.self, forKey: .checkpointInterval)
        keepCheckpoints = try c.decode(Int.self, forKey: .keepCheckpoints)
        seed = try c.decode(UInt64.self, forKey: .seed)
    }
}
