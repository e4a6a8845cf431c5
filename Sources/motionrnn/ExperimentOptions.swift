import ArgumentParser
import Cells
import DataSources
import Experiments
import Predictor
import Training

/// The flags that set up a training run: a preset, then any hyper-parameter overridden.
struct ExperimentOptions: ParsableArguments {
    @Option(help: "Model (default: motionrnn-predrnn, or the --init-from model's).")
    var model: ModelName?

    @Option(help: ArgumentHelp("Start from a trained model's parameters (fine-tuning): a pretrained model's name or file, or a run folder. Its architecture is the default; a larger --filter-size or --hidden grows it (at first it predicts the same), other flags that change parameter shapes are refused.",
                               valueName: "name-or-file"))
    var initFrom: String?

    @Option(help: ArgumentHelp("A preset: CPU presets train in minutes, the others are the paper's settings.",
                               discussion: ExperimentPreset.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n")))
    var preset: ExperimentPreset?

    @Option(help: "Data: vmnist, radar, a Moving MNIST .npy/.npz file, or frames (a folder of images, a video, or a folder of such sequences). Default: the preset's.")
    var data: String?

    // Model overrides.
    @Option(help: "Hidden channels per layer, e.g. 64,64,64,64 (with --init-from: a larger width grows the model's layers, their new channels' weights into the old ones starting at zero).") var hidden: String?
    @Option(help: "Recurrent convolution kernel size (with --init-from: a larger odd size grows the model's kernels with zeros).") var filterSize: Int?
    @Option(help: "Patch size (space-to-depth).") var patchSize: Int?
    @Option(help: "Frame height and width after resizing.") var imageSize: Int?
    @Option(help: "Frame channels (1 gray, 3 RGB).") var channels: Int?
    @Option(help: "Input frames.") var inputLength: Int?
    @Option(help: "Predicted frames.") var outputLength: Int?
    @Flag(help: "Layer norm after the gate convolutions (PredRNN, ConvLSTM).") var layerNorm = false
    @Flag(help: "Ablation: no Motion Highway.") var noHighway = false
    @Flag(help: "Ablation: no transient variation in the MotionGRU.") var noTransient = false
    @Flag(help: "Ablation: no trending momentum in the MotionGRU.") var noTrend = false
    @Option(help: "Momentum step α of the trend.") var alpha: Float?
    @Option(help: ArgumentHelp("Not in the paper: keep the MotionGRU's motion filter within ±B cells of its half-resolution grid (B·tanh(F/B)); default unbounded, as in the paper.", valueName: "B"))
    var motionBound: Float?

    // TrajGRU and Conv-TT-LSTM (SPEC §10; defaults: HKO-7's and NVlabs' values).
    @Option(help: "TrajGRU: links (flow fields) per layer, one value or one per layer, e.g. 13,13,9 (default 13).") var links: String?
    @Option(help: "TrajGRU: width of the flow generator (default 32).") var flowChannels: Int?
    @Option(help: "TrajGRU: kernel of the flow generator's convolutions (default 5).") var flowKernel: Int?
    @Option(help: "TrajGRU: kernel of the input-to-gates convolution i2h (default 3).") var i2hKernel: Int?
    @Option(help: "TrajGRU: negative slope of its LeakyReLUs (default 0.2).") var leakySlope: Float?
    @Option(help: "Conv-TT-LSTM: order, the windows of the tensor-train (default 3).") var ttOrder: Int?
    @Option(help: "Conv-TT-LSTM: steps, the past hidden states each layer keeps (default 3).") var ttSteps: Int?
    @Option(help: "Conv-TT-LSTM: ranks, the tensor-train's channels (default 8).") var ttRanks: Int?
    @Option(help: "Conv-TT-LSTM: kernel of the cell's convolutions (default: --filter-size).") var ttKernel: Int?
    @Option(help: "PredRNN-v2: weight β of the decoupling loss (default 0.1, the official value).") var decoupleBeta: Double?
    @Option(help: "E3D-LSTM: how its recall attention reads the cell states: openstl (default; OpenSTL's flat channels-first rows, as the fixtures) or positions (each position's channel vector, as the paper and the official TensorFlow code).")
    var recall: Recall.Rows?

    // Training overrides.
    @Option(help: "Training iterations.") var iterations: Int?
    @Option(help: "Sequences per batch.") var batchSize: Int?
    @Option(help: "Adam learning rate (the peak, with a schedule).") var learningRate: Double?
    @Option(help: "Learning-rate warm-up: iterations of linear increase from 0.") var warmup: Int?
    @Option(help: "Learning-rate decay after the warm-up.") var decay: TrainingConfiguration.LearningRateSchedule.Decay?
    @Option(help: "Cosine decay's final rate as a fraction of the peak (default 0.05).") var finalLearningRate: Double?
    @Option(help: ArgumentHelp("Begin the cosine decay at this iteration, the rate staying at the peak until then (default: after the warm-up). With --resume, a run at a constant rate is cooled down from where it stands: --decay cosine --decay-start <its iteration> --iterations <its new end>.",
                               valueName: "iteration"))
    var decayStart: Int?
    @Option(help: "Loss (default: the preset's). mse+gdl adds the gradient difference loss on the frames (sharper edges), weighted by --gdl-weight.") var loss: TrainingConfiguration.Loss?
    @Option(help: "Weight of the gradient difference term of --loss mse+gdl (default 1).") var gdlWeight: Double?
    @Option(help: "Iteration at which scheduled sampling reaches η = 0 (η falls linearly from 1).") var samplingStop: Int?
    @Option(help: ArgumentHelp("PredRNN-v2's reverse scheduled sampling instead of --sampling-stop: inputs 1 … input-length − 1 too are fed the model's own predictions, the true frame's probability rising from ½ to 1 there (time constant DECAY, default (END − START)/5) and falling from ½ to 0 in the prediction window, both between iterations START and END. Official values (80 000 iterations): 25000,50000,5000.",
                               valueName: "start,end[,decay]"))
    var reverseSampling: String?
    @Flag(inversion: .prefixedNo, help: "Also train on time-reversed batches (default: the preset's).") var reverseInput: Bool?
    @Option(help: "Validate every N iterations (0: never).") var validationInterval: Int?
    @Option(help: "Checkpoint every N iterations (0: only at the end).") var checkpointInterval: Int?
    @Option(help: "Checkpoints to keep.") var keepCheckpoints: Int?
    @Option(help: "Random seed (initialisation, training data and its order, sampling; generated validation and test sequences stay the same).") var seed: UInt64?

    // Data overrides.
    @Option(help: "Training sequences to generate (generators).") var trainCount: Int?
    @Option(help: "Test sequences to evaluate.") var testCount: Int?
    @Option(help: "Validation sequences (held out from training, not the test set) scored at each validation.") var validationCount: Int?
    @Option(help: "Test sequences drawn in the report.") var examples: Int?
    @Option(help: "Take every N-th frame of videos and folders.") var frameStride: Int?
    @Option(help: "Centre-crop this fraction of each frame's shorter side before resizing.") var cropFraction: Double?

    /// The model name the flags ask for.
    var modelName: ModelName { model ?? ModelName(backbone: .predrnn, withMotionRNN: true) }
    var presetName: String { (preset ?? .vmnistCPU).rawValue }

    /// The flags given that decide what a run computes (all but those `applyOnResume` applies):
    /// a resumed run refuses them, since it continues the run as it was set up.
    var flagsFixedOnResume: [String] {
        let given: [(String, Bool)] = [
            ("--model", model != nil), ("--init-from", initFrom != nil), ("--preset", preset != nil),
            ("--data", data != nil), ("--hidden", hidden != nil), ("--filter-size", filterSize != nil),
            ("--patch-size", patchSize != nil), ("--image-size", imageSize != nil), ("--channels", channels != nil),
            ("--input-length", inputLength != nil), ("--output-length", outputLength != nil),
            ("--layer-norm", layerNorm), ("--no-highway", noHighway), ("--no-transient", noTransient),
            ("--no-trend", noTrend), ("--alpha", alpha != nil), ("--motion-bound", motionBound != nil),
            ("--links", links != nil),
            ("--flow-channels", flowChannels != nil), ("--flow-kernel", flowKernel != nil),
            ("--i2h-kernel", i2hKernel != nil), ("--leaky-slope", leakySlope != nil), ("--tt-order", ttOrder != nil),
            ("--tt-steps", ttSteps != nil), ("--tt-ranks", ttRanks != nil), ("--tt-kernel", ttKernel != nil),
            ("--decouple-beta", decoupleBeta != nil), ("--recall", recall != nil),
            ("--batch-size", batchSize != nil),
            ("--learning-rate", learningRate != nil), ("--warmup", warmup != nil), ("--loss", loss != nil),
            ("--gdl-weight", gdlWeight != nil),
            ("--sampling-stop", samplingStop != nil), ("--reverse-sampling", reverseSampling != nil),
            ("--reverse-input", reverseInput != nil),
            ("--seed", seed != nil), ("--train-count", trainCount != nil),
            ("--validation-count", validationCount != nil), ("--frame-stride", frameStride != nil),
            ("--crop-fraction", cropFraction != nil),
        ]
        return given.filter(\.1).map(\.0)
    }

    /// What a branch (`train --branch-from`) refuses: what a resume does, but the motion bound,
    /// which holds no parameters.
    var flagsFixedOnBranch: [String] { flagsFixedOnResume.filter { $0 != "--motion-bound" } }

    /// Applies to a saved experiment the flags a resumed run may change: how long it runs, how
    /// its learning rate decays from here on, how often it validates and checkpoints, what its
    /// final evaluation scores and draws. Returns what changed, in words (empty when nothing did).
    func applyOnResume(to experiment: inout Experiment) -> [String] {
        var changes: [String] = []
        func set<T: Equatable>(_ name: String, _ value: T?, _ field: WritableKeyPath<Experiment, T>) {
            guard let value, experiment[keyPath: field] != value else { return }
            changes.append("\(name) \(experiment[keyPath: field]) → \(value)")
            experiment[keyPath: field] = value
        }
        set("--iterations", iterations, \.training.iterations)
        set("--validation-interval", validationInterval, \.training.validationInterval)
        set("--checkpoint-interval", checkpointInterval, \.training.checkpointInterval)
        set("--keep-checkpoints", keepCheckpoints, \.training.keepCheckpoints)
        set("--decay", decay, \.training.learningRateSchedule.decay)
        set("--final-learning-rate", finalLearningRate, \.training.learningRateSchedule.finalFraction)
        let schedule = \Experiment.training.learningRateSchedule
        if let decayStart, experiment[keyPath: schedule].decayStartIteration != decayStart {
            let old = experiment[keyPath: schedule].decayStartIteration.map(String.init) ?? "after the warm-up"
            changes.append("--decay-start \(old) → \(decayStart)")
            experiment[keyPath: schedule].decayStartIteration = decayStart
        }
        set("--test-count", testCount, \.testCount)
        set("--examples", examples, \.reportExamples)
        return changes
    }

    /// The same for a branch: also the motion bound. Returns what changed, in words.
    func applyOnBranch(to experiment: inout Experiment) -> [String] {
        var changes = applyOnResume(to: &experiment)
        let motion = \Experiment.training.model.motion
        if let motionBound, experiment[keyPath: motion].bound != motionBound {
            let before = experiment[keyPath: motion].boundDescription ?? "none"
            experiment[keyPath: motion].bound = motionBound
            changes.append("--motion-bound \(before) → \(experiment[keyPath: motion].boundDescription ?? "none")")
        }
        return changes
    }

    /// The experiment the flags describe; `initial` is the --init-from model, whose architecture
    /// replaces the preset's before the flags apply.
    func experiment(initial: TrainedModel? = nil) throws -> Experiment {
        let experiment = try configuredExperiment(initial: initial)
        try Self.validate(experiment)
        return experiment
    }

    /// Checks `experiment`, naming the flag that sets a wrong field.
    static func validate(_ experiment: Experiment) throws {
        do {
            try experiment.validate()
        } catch let error as ModelConfigurationError {
            throw ValidationError("\(flag(for: error.field)) \(error.message)")
        }
    }

    /// The history lines of `train --init-from MODEL` with larger kernels than MODEL's (which
    /// `KernelGrowth` zero-pads), or the refusal naming the flag of a kernel that cannot grow.
    static func kernelGrowth(of model: ModelConfiguration, to grown: ModelConfiguration) throws -> [String] {
        let trajGRU = { (c: ModelConfiguration) in c.backbone == .trajgru ? c.trajGRU ?? TrajGRUOptions() : nil }
        // Conv-TT-LSTM's kernel follows the filter unless --tt-kernel sets it.
        let ttKernel = { (c: ModelConfiguration) in c.backbone == .convttlstm ? c.convTTLSTM?.kernelSize ?? c.filterSize : nil }
        let kernels: [(flag: String, name: String, noun: String, old: Int?, new: Int?)] = [
            ("--filter-size", "filter", "kernels", model.filterSize, grown.filterSize),
            ("--i2h-kernel", "i2h kernel", "i2h kernels", trajGRU(model)?.inputKernel, trajGRU(grown)?.inputKernel),
            ("--flow-kernel", "flow kernel", "flow kernels", trajGRU(model)?.flowKernel, trajGRU(grown)?.flowKernel),
            // Only a kernel that --tt-kernel sets is named; one that follows the filter grows with it.
            ("--tt-kernel", "tt kernel", "tt kernels", ttKernel(model), grown.convTTLSTM?.kernelSize == nil ? nil : ttKernel(grown)),
        ]
        return try kernels.compactMap { kernel in
            guard let k = kernel.old, let new = kernel.new, new != k else { return nil }
            guard new > k, new % 2 == 1 else {
                throw ValidationError("\(kernel.flag) \(new): the --init-from model has \(kernel.name) \(k); it can only grow to a larger odd size (its kernels are then zero-padded)")
            }
            return "started with the --init-from model's \(k)×\(k) \(kernel.noun) zero-padded to \(new)×\(new) (\(kernel.flag) \(new)): at first it computes what that model did"
        }
    }

    /// The history line of `train --init-from MODEL --hidden …` with wider layers than MODEL's,
    /// or the refusal naming `--hidden` when `WidthGrowth` cannot do it.
    static func widthGrowth(of model: ModelConfiguration, to widths: [Int], alsoGrowingTheFilter: Bool) throws -> String {
        let old = model.hiddenChannels
        let flag = "--hidden \(widths.map(String.init).joined(separator: ","))"
        let refuse = { (why: String) in ValidationError("\(flag): the --init-from model has layers \(old); \(why)") }
        guard [.predrnn, .predrnnv2, .convlstm].contains(model.backbone) else {
            throw refuse("width growth is built for predrnn, predrnnv2 and convlstm (plain or motionrnn-), not \(model.backbone.rawValue)")
        }
        guard widths.count == old.count, let width = widths.first, widths.allSatisfy({ $0 == width }),
              let oldWidth = old.first, old.allSatisfy({ $0 == oldWidth }), width > oldWidth else {
            throw refuse("its layers can only grow, all to one larger width (e.g. \(old.map { String($0 * 3 / 2) }.joined(separator: ",")))")
        }
        guard !model.layerNorm else {
            throw refuse("its layer norm normalises across the channels, so wider layers would change what it predicts")
        }
        guard !alsoGrowingTheFilter else {
            throw refuse("grow one thing at a time: the width here, the filter in a second fine-tuning")
        }
        return "started with the --init-from model's \(oldWidth) channels per layer grown to \(width) (\(flag)): the new channels' weights into the old ones start at zero, so at first it computes what that model did"
    }

    private func configuredExperiment(initial: TrainedModel?) throws -> Experiment {
        let preset = self.preset ?? .vmnistCPU
        let source: DataSource
        if let data {
            source = try DataSource(parsing: data)
        } else if let defaultData = preset.defaultData {
            source = defaultData
        } else {
            throw ValidationError("preset \(preset.rawValue) needs --data: a folder of frames or a video (e.g. Debian's opencv-doc ships /usr/share/doc/opencv-doc/examples/data/vtest.avi)")
        }
        let name = model ?? initial?.experiment.model.modelName ?? modelName
        var experiment = preset.experiment(model: name, data: source.withDigitsFromEnvironment())
        var m = experiment.training.model
        if let initial {
            let pretrained = initial.experiment.model
            // PredRNN-v2 is PredRNN with a decoupling adapter: a PredRNN model can become one.
            let becomesV2 = pretrained.becomesPredRNNv2(as: m)
            guard pretrained.commandLineName == m.commandLineName || becomesV2 else {
                throw ValidationError("--model \(name) is not the --init-from model's architecture (\(pretrained.commandLineName))")
            }
            m = pretrained
            if becomesV2 {
                m.backbone = .predrnnv2
                experiment.history.append("started as PredRNN-v2 from the --init-from PredRNN model (--model \(name)): its cells and output as trained, the decoupling adapter freshly drawn")
            }
            experiment.initFrom = initFrom
            experiment.earlierStages = initFrom.flatMap { PretrainedModel.stages(through: initial, named: $0) }
        }
        if let hidden {
            m.hiddenChannels = try Self.positiveIntegers(hidden, flag: "--hidden", example: "64,64,64,64")
            if let initial, m.hiddenChannels != initial.experiment.model.hiddenChannels {
                try experiment.history.append(Self.widthGrowth(of: initial.experiment.model, to: m.hiddenChannels,
                                                               alsoGrowingTheFilter: filterSize.map { $0 != m.filterSize } ?? false))
            }
        }
        if let filterSize { m.filterSize = filterSize }
        if let patchSize { m.patchSize = patchSize }
        if let imageSize { m.imageHeight = imageSize; m.imageWidth = imageSize; experiment.resize = imageSize }
        if let channels { m.imageChannels = channels; experiment.channels = channels }
        if let inputLength { m.inputLength = inputLength }
        if let outputLength { m.totalLength = m.inputLength + outputLength } else if inputLength != nil {
            m.totalLength = m.inputLength + (experiment.training.model.totalLength - experiment.training.model.inputLength)
        }
        if layerNorm { m.layerNorm = true }
        if noHighway { m.motion.highway = false }
        if noTransient { m.motion.transient = false }
        if noTrend { m.motion.trend = false }
        if let alpha { m.motion.alpha = alpha }
        if let motionBound { m.motion.bound = motionBound }
        if let decoupleBeta { m.decouplingWeight = decoupleBeta }
        if let recall { m.e3dRecall = recall }
        try applyBaselineOptions(to: &m)
        if let initial { experiment.history += try Self.kernelGrowth(of: initial.experiment.model, to: m) }
        var t = experiment.training
        t.model = m
        if let iterations {
            t.iterations = iterations
            if samplingStop == nil { t.scaleSampling(toFraction: Double(t.samplingStopIteration) / Double(max(experiment.training.iterations, 1))) }
        }
        if let batchSize { t.batchSize = batchSize }
        if let learningRate { t.learningRate = learningRate }
        if let warmup { t.learningRateSchedule.warmupIterations = warmup }
        if let decay { t.learningRateSchedule.decay = decay }
        if let finalLearningRate { t.learningRateSchedule.finalFraction = finalLearningRate }
        if let decayStart { t.learningRateSchedule.decayStartIteration = decayStart }
        if let loss { t.loss = loss }
        if let gdlWeight {
            guard t.loss == .mseGDL else {
                throw ValidationError("--gdl-weight weights the GDL term of --loss mse+gdl; this run's loss is \(t.loss.rawValue)")
            }
            t.gdlWeight = gdlWeight
        }
        if let samplingStop {
            t.samplingStopIteration = samplingStop
            t.samplingDelta = samplingStop > 0 ? 1 / Double(samplingStop) : 0
        }
        if let reverseSampling {
            guard samplingStop == nil else {
                throw ValidationError("--reverse-sampling replaces the ordinary schedule of --sampling-stop: give one of them")
            }
            t.reverseSampling = try Self.reverseSamplingSchedule(reverseSampling)
        }
        if let reverseInput { t.reverseInput = reverseInput }
        if let validationInterval { t.validationInterval = validationInterval }
        if let checkpointInterval { t.checkpointInterval = checkpointInterval }
        if let keepCheckpoints { t.keepCheckpoints = keepCheckpoints }
        if let seed { t.seed = seed }
        experiment.training = t
        if let trainCount { experiment.trainCount = trainCount }
        if let testCount { experiment.testCount = testCount }
        if let validationCount { experiment.validationCount = validationCount }
        if let examples { experiment.reportExamples = examples }
        if let frameStride { experiment.frameStride = frameStride }
        if let cropFraction { experiment.centerCropFraction = cropFraction }
        return experiment
    }

    /// The TrajGRU and Conv-TT-LSTM flags, over the model's own values (or the defaults); given
    /// for another backbone they reach the model's validation, which refuses them.
    private func applyBaselineOptions(to m: inout ModelConfiguration) throws {
        if links != nil || flowChannels != nil || flowKernel != nil || i2hKernel != nil || leakySlope != nil {
            var t = m.trajGRU ?? TrajGRUOptions()
            if let links { t.links = try Self.positiveIntegers(links, flag: "--links", example: "13,13,9") }
            if let flowChannels { t.flowChannels = flowChannels }
            if let flowKernel { t.flowKernel = flowKernel }
            if let i2hKernel { t.inputKernel = i2hKernel }
            if let leakySlope { t.leakySlope = leakySlope }
            m.trajGRU = t
        }
        if ttOrder != nil || ttSteps != nil || ttRanks != nil || ttKernel != nil {
            var c = m.convTTLSTM ?? ConvTTLSTMOptions()
            if let ttOrder { c.order = ttOrder }
            if let ttSteps { c.steps = ttSteps }
            if let ttRanks { c.ranks = ttRanks }
            if let ttKernel { c.kernelSize = ttKernel }
            m.convTTLSTM = c
        }
    }

    /// "64,64,64" as positive integers, or an error naming the flag.
    static func positiveIntegers(_ text: String, flag: String, example: String) throws -> [Int] {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("\(flag) '\(text)' must be positive integers separated by commas, e.g. \(example)")
        }
        return values.map { $0! }
    }

    /// "START,END[,DECAY]" of --reverse-sampling, DECAY by default a fifth of the span (the
    /// official 5 000 of 25 000).
    static func reverseSamplingSchedule(_ text: String) throws -> ReverseScheduledSampling {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard (2...3).contains(parts.count), let start = Int(parts[0]), let end = Int(parts[1]),
              let decay = parts.count == 3 ? Double(parts[2]) : Double(end - start) / 5 else {
            throw ValidationError("--reverse-sampling '\(text)' must be START,END or START,END,DECAY (iterations), e.g. 25000,50000,5000")
        }
        return ReverseScheduledSampling(startIteration: start, endIteration: end, decayLength: decay)
    }

    /// The flag that sets a configuration field, for error messages.
    static func flag(for field: String) -> String {
        let flags = [
            "imageHeight": "--image-size", "imageWidth": "--image-size", "resize": "--image-size",
            "imageChannels": "--channels", "patchSize": "--patch-size", "hiddenChannels": "--hidden",
            "filterSize": "--filter-size", "inputLength": "--input-length", "totalLength": "--output-length",
            "layerNorm": "--layer-norm", "motion.alpha": "--alpha", "motion.bound": "--motion-bound", "learningRate": "--learning-rate", "gdlWeight": "--gdl-weight",
            "learningRateSchedule.warmupIterations": "--warmup",
            "learningRateSchedule.finalFraction": "--final-learning-rate", "batchSize": "--batch-size",
            "learningRateSchedule.decayStartIteration": "--decay-start",
            "iterations": "--iterations", "keepCheckpoints": "--keep-checkpoints",
            "samplingDelta": "--sampling-stop", "samplingStopIteration": "--sampling-stop",
            "reverseSampling.startIteration": "--reverse-sampling", "reverseSampling.endIteration": "--reverse-sampling",
            "reverseSampling.decayLength": "--reverse-sampling",
            "validationInterval": "--validation-interval", "checkpointInterval": "--checkpoint-interval",
            "trainCount": "--train-count", "testCount": "--test-count", "validationCount": "--validation-count",
            "reportExamples": "--examples", "frameStride": "--frame-stride", "centerCropFraction": "--crop-fraction",
            "model": "--model", "backbone": "--model",
            "trajGRU": "--links/--flow-channels/--flow-kernel/--i2h-kernel/--leaky-slope", "trajGRU.links": "--links",
            "trajGRU.flowChannels": "--flow-channels", "trajGRU.flowKernel": "--flow-kernel",
            "trajGRU.inputKernel": "--i2h-kernel", "trajGRU.leakySlope": "--leaky-slope",
            "convTTLSTM": "--tt-order/--tt-steps/--tt-ranks/--tt-kernel", "convTTLSTM.order": "--tt-order",
            "convTTLSTM.steps": "--tt-steps", "convTTLSTM.ranks": "--tt-ranks", "convTTLSTM.kernelSize": "--tt-kernel",
            "decouplingWeight": "--decouple-beta", "e3dRecall": "--recall",
        ]
        return flags[field] ?? field
    }
}

// Enumerated flags parse (and list their values in --help and errors) through ArgumentParser.
extension ExperimentPreset: ExpressibleByArgument {}
extension ModelName: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public static var allValueStrings: [String] { ModelConfiguration.modelNames }
}
extension TrainingConfiguration.Loss: ExpressibleByArgument {}
extension Recall.Rows: ExpressibleByArgument {}
extension TrainingConfiguration.LearningRateSchedule.Decay: ExpressibleByArgument {}
