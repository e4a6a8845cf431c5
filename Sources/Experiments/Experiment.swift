import DataSources
import Metrics
import Imaging
import Predictor
import Training

/// One training run as a user sets it up: the data, the model and training configuration, and
/// how much data to generate, validate on and test on. Saved with the run so `test` and
/// `predict` can rebuild everything.
public struct Experiment: Codable, Equatable, Sendable {
    public var data: DataSource
    public var training: TrainingConfiguration
    /// Sequences generated for training (generators only; files give what they hold).
    public var trainCount: Int
    /// Sequences of the test set used for the final evaluation (at most what it holds).
    public var testCount: Int
    /// Validation sequences scored at each validation (the first ones of the validation split).
    public var validationCount: Int
    /// Test sequences shown as pictures in the report.
    public var reportExamples: Int
    /// Frame preparation for files and folders.
    public var resize: Int?
    public var channels: Int?
    public var frameStride: Int
    /// Centre crop of this fraction of each frame's shorter side, before resizing (Human3.6M: ½).
    public var centerCropFraction: Double?
    /// The trained model (pretrained name or file, or run folder) whose parameters started the
    /// run instead of a random initialisation.
    public var initFrom: String?
    /// The runs that trained the `initFrom` model, oldest first, then that model itself, as
    /// they were when this run started (nil when they could not be read, or for a run saved
    /// before they were recorded).
    public var earlierStages: [PretrainedModel.Stage]?
    /// What changed when the run was resumed, one line per resume (`train --resume` flags),
    /// after a line on how the --init-from model's parameters were adapted, if they were.
    public var history: [String] = []

    public init(data: DataSource, training: TrainingConfiguration, trainCount: Int, testCount: Int,
                validationCount: Int, reportExamples: Int = 3, resize: Int? = nil, channels: Int? = nil,
                frameStride: Int = 1, centerCropFraction: Double? = nil) {
        self.data = data
        self.training = training
        self.trainCount = trainCount
        self.testCount = testCount
        self.validationCount = validationCount
        self.reportExamples = reportExamples
        self.resize = resize
        self.channels = channels
        self.frameStride = frameStride
        self.centerCropFraction = centerCropFraction
    }

    public var model: ModelConfiguration { training.model }

    private enum CodingKeys: String, CodingKey {
        case data, training, trainCount, testCount, validationCount, reportExamples, resize, channels,
             frameStride, centerCropFraction, initFrom, earlierStages, history
    }

    // Runs saved before `initFrom`, `earlierStages` and `history` existed have none of them.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decode(DataSource.self, forKey: .data)
        training = try c.decode(TrainingConfiguration.self, forKey: .training)
        trainCount = try c.decode(Int.self, forKey: .trainCount)
        testCount = try c.decode(Int.self, forKey: .testCount)
        validationCount = try c.decode(Int.self, forKey: .validationCount)
        reportExamples = try c.decode(Int.self, forKey: .reportExamples)
        resize = try c.decodeIfPresent(Int.self, forKey: .resize)
        channels = try c.decodeIfPresent(Int.self, forKey: .channels)
        frameStride = try c.decode(Int.self, forKey: .frameStride)
        centerCropFraction = try c.decodeIfPresent(Double.self, forKey: .centerCropFraction)
        initFrom = try c.decodeIfPresent(String.self, forKey: .initFrom)
        earlierStages = try c.decodeIfPresent([PretrainedModel.Stage].self, forKey: .earlierStages)
        history = try c.decodeIfPresent([String].self, forKey: .history) ?? []
    }

    /// Throws the first problem found, naming the field (`ModelConfigurationError`), before any
    /// data is read or model built: the training configuration's checks, then the data's.
    public func validate() throws {
        func fail(_ field: String, _ message: String) -> ModelConfigurationError {
            ModelConfigurationError(field: field, message: message)
        }
        try training.validate()
        // Every run ends in an evaluation, whose SSIM needs 7×7 frames.
        let smallest = StructuralSimilarity.window
        guard model.imageHeight >= smallest && model.imageWidth >= smallest else {
            throw fail("imageHeight", "must be at least \(smallest) (SSIM's window), got \(model.imageHeight)×\(model.imageWidth)")
        }
        guard [1, 3].contains(model.imageChannels) else {
            throw fail("imageChannels", "must be 1 (grey) or 3 (RGB), got \(model.imageChannels)")
        }
        // Files give what they hold; only generators use trainCount.
        let generated = data.isGenerated
        for (field, value, least) in [("trainCount", trainCount, generated ? 1 : 0), ("testCount", testCount, 1),
                                      ("validationCount", validationCount, 0), ("reportExamples", reportExamples, 0),
                                      ("frameStride", frameStride, 1), ("resize", resize ?? 1, 1)] where value < least {
            throw fail(field, "must be at least \(least), got \(value)")
        }
        if let fraction = centerCropFraction, !(fraction > 0 && fraction <= 1) {
            throw fail("centerCropFraction", "must be in (0, 1], got \(fraction)")
        }
    }

    /// The data options this experiment asks `DataSource` for.
    public var dataOptions: DataSource.Options {
        let size = resize ?? model.imageHeight
        let transform = FrameTransform(channels: channels ?? model.imageChannels,
                                       crop: centerCropFraction.map { .centerFraction($0) },
                                       resize: (size, size))
        return DataSource.Options(sequenceLength: model.totalLength, trainCount: trainCount,
                                  testCount: testCount, validationCount: validationCount,
                                  seed: training.seed, transform: transform,
                                  frameStride: frameStride)
    }
}

/// The built-in settings: the paper's three (full scale, for long runs) and CPU-sized variants
/// that show the model learning within minutes on two cores.
public enum ExperimentPreset: String, CaseIterable, Sendable {
    case vmnistCPU = "vmnist-cpu"
    case vmnist
    case radarCPU = "radar-cpu"
    case radar
    case humanCPU = "human-cpu"
    case human

    /// What the preset trains on by default (`human` presets need frames the user brings).
    public var defaultData: DataSource? {
        switch self {
        case .vmnistCPU, .vmnist: return .vmnist(digits: nil)
        case .radarCPU, .radar: return .radar
        case .humanCPU, .human: return nil
        }
    }

    public var summary: String {
        switch self {
        case .vmnistCPU: return "V-MNIST 64×64, 10 → 10, 2 layers × 32, filter 3, 300 iterations (about 10 minutes on 2 cores)"
        case .vmnist: return "the paper's V-MNIST setting: 4 layers × 64, filter 5, 10 → 10, 100 000 iterations"
        case .radarCPU: return "synthetic radar 64×64, 5 → 10, 2 layers × 32, filter 3, 300 iterations"
        case .radar: return "the paper's radar setting: 4 layers × 64, filter 5, 5 → 10, 100 000 iterations"
        case .humanCPU: return "human motion frames resized to 64×64 RGB, 4 → 4, 2 layers × 32, 300 iterations"
        case .human: return "the paper's Human3.6M setting: 128×128 RGB, 4 → 4, 4 layers × 64, filter 5"
        }
    }

    /// The experiment for model `modelName` (e.g. `motionrnn-predrnn`) on `data`.
    public func experiment(model modelName: String, data: DataSource) throws -> Experiment {
        experiment(model: try ModelName.parse(modelName), data: data)
    }

    /// The experiment for model `name` on `data`.
    public func experiment(model name: ModelName, data: DataSource) -> Experiment {
        let paperScale: Bool
        let modelPreset: ModelPreset
        switch self {
        case .vmnistCPU: (paperScale, modelPreset) = (false, .mnist)
        case .vmnist: (paperScale, modelPreset) = (true, .mnist)
        case .radarCPU: (paperScale, modelPreset) = (false, .radar)
        case .radar: (paperScale, modelPreset) = (true, .radar)
        case .humanCPU: (paperScale, modelPreset) = (false, .human)
        case .human: (paperScale, modelPreset) = (true, .human)
        }
        var model = ModelConfiguration(model: name, preset: modelPreset)
        var training = TrainingConfiguration(model: model)
        if paperScale {
            // SPEC §7: Adam 3e-4, batch 8, 100 000 iterations, η → 0 at 50 000, reverse input.
            return Experiment(data: data, training: training, trainCount: 100_000, testCount: 10_000,
                              validationCount: 64, frameStride: self == .human ? 2 : 1,
                              centerCropFraction: self == .human ? 0.5 : nil)
        }
        if self == .humanCPU {
            model.imageHeight = 64
            model.imageWidth = 64
        }
        model.hiddenChannels = [32, 32]
        model.filterSize = 3
        training = TrainingConfiguration(
            model: model, learningRate: 1e-3, batchSize: 8, iterations: 300, loss: .l1l2,
            reverseInput: false, validationInterval: 100, checkpointInterval: 100, keepCheckpoints: 2)
        training.scaleSampling(toFraction: 0.5)
        return Experiment(data: data, training: training, trainCount: 4_800, testCount: 256,
                          validationCount: 32, frameStride: self == .humanCPU ? 2 : 1,
                          centerCropFraction: self == .humanCPU ? 0.5 : nil)
    }
}

/// A run that cannot start or continue as asked; the message says why and what to do.
public struct ExperimentError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Experiment {
    /// The metrics its data is scored with: radar echoes add CSI/FAR at the dBZ thresholds.
    public var metricsOptions: MetricsOptions { data == .radar ? .radar : MetricsOptions() }
}
