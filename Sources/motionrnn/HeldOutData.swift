import ArgumentParser
import DataSources
import Datasets
import Experiments

/// The held-out sequences that `test` and `compare` score: the model's own data or other data,
/// and its test split (for reporting) or its validation split (for choices such as a checkpoint
/// or an average of checkpoints, which are never made on the test split).
struct HeldOutData: ParsableArguments {
    enum Split: String, ExpressibleByArgument, CaseIterable {
        case test, validation
    }

    @Option(help: "Score on other data (vmnist, radar, a .npy/.npz file, frames) than the model's own.")
    var data: String?
    @Option(help: "The split scored: test (to report) or validation (to choose a checkpoint or an average; choices are never made on the test split).")
    var split: Split = .test
    @Option(help: "Take every N-th frame of videos and frame folders (default: as the first model was trained; a model trained with --frame-stride 2 is scored on every 2nd frame).")
    var frameStride: Int?

    func validate() throws {
        try requireAtLeastOne(frameStride, "--frame-stride")
    }

    /// Sets `experiment` to score `count` sequences of the chosen data and split (V-MNIST's
    /// digits chosen by `$MOTIONRNN_DIGITS` when it is set) and returns those sequences.
    func sequences(for experiment: inout Experiment, count: Int) throws -> any SequenceDataset {
        experiment.data = try (data.map(DataSource.init(parsing:)) ?? experiment.data).withDigitsFromEnvironment()
        experiment.testCount = count
        if let frameStride { experiment.frameStride = frameStride }
        switch split {
        case .test:
            return try experiment.data.datasets(experiment.dataOptions).test
        case .validation:
            experiment.validationCount = count
            guard let validation = try experiment.data.datasets(experiment.dataOptions).validation else {
                throw ValidationError("--split validation: \(experiment.data) holds too little to spare a validation split")
            }
            return validation
        }
    }

    /// What is scored, in words: the data, the frame stride of videos and frame folders when it
    /// is not 1, and the split when it is not the test split.
    func name(of experiment: Experiment) -> String {
        var stride = ""
        if case .frames = experiment.data, experiment.frameStride > 1 { stride = ", frame stride \(experiment.frameStride)" }
        return "\(experiment.data)" + stride + (split == .validation ? " (validation split)" : "")
    }
}
