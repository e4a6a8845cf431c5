import ArgumentParser
import Experiments
import Engine
import Foundation
import Metrics

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a run's trained model as one pretrained-model file (parameters and how they were trained).",
        discussion: """
            The file is safetensors (F32, the official parameter names, no optimizer state) whose \
            metadata holds the experiment, the iterations, the validation curve and statistics of \
            the training frames. `predict`, `test` and `train --init-from` take it with \
            --pretrained FILE, or by name when it lies in models/.
            """)

    @Argument(help: "The run folder written by `motionrnn train`.") var runFolder: String
    @Option(help: "A checkpoint's .json in the run (default: the newest).") var checkpoint: String?
    @Option(help: ArgumentHelp("Write the mean parameters of the chosen checkpoint and the N - 1 complete ones before it on the checkpoint schedule, not those written when a run stopped early (weight averaging along a constant-rate run; choose N with `compare --split validation`).", valueName: "N"))
    var averageLast = 1
    @Option(help: "The file to write (.safetensors).") var output: String
    @Flag(help: "Also write the model card (NAME.md beside the file): evaluates the model on its test split.")
    var card = false
    @Option(help: "Test sequences the card's metrics are computed on.") var testCount = 256
    @Option(help: "The commands that reproduce the model from scratch, for the card.") var reproduce: String?

    func validate() throws {
        guard output.hasSuffix(".safetensors") else {
            throw ValidationError("--output '\(output)' must end in .safetensors")
        }
        try requireAtLeastOne(testCount, "--test-count")
        try requireAtLeastOne(averageLast, "--average-last")
        guard !card || reproduce != nil else { throw ValidationError("--card needs --reproduce (the commands that train the model again)") }
    }

    func run() throws {
        let trained = try PretrainedModel.export(run: URL(fileURLWithPath: runFolder),
                                                 checkpoint: checkpoint.map { URL(fileURLWithPath: $0) },
                                                 averaging: averageLast,
                                                 to: URL(fileURLWithPath: output))
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        let averaged = trained.averagedIterations.map { ", the mean of the checkpoints of iterations \($0.map(String.init).joined(separator: ", "))" } ?? ""
        print("\(trained.experiment.model.displayName) at iteration \(trained.iteration)\(averaged) → \(output) (\(size / 1024) KiB)")
        guard card, let reproduce else { return }
        let url = URL(fileURLWithPath: output)
        let name = url.deletingPathExtension().lastPathComponent
        let shipped = try TrainedModel(pretrained: output)
        var experiment = shipped.experiment
        experiment.testCount = testCount
        let testSet = try experiment.data.datasets(experiment.dataOptions).test
        let options: MetricsOptions = experiment.metricsOptions
        let metrics = try Evaluation.run(shipped.model, on: testSet, count: testCount, batchSize: experiment.training.batchSize,
                                         configuration: experiment.model, exampleCount: 0, options: options).metrics
        let baselines = try Evaluation.Baseline.allCases.map {
            ($0.rawValue, try Evaluation.score($0, on: testSet, count: testCount, batchSize: experiment.training.batchSize,
                                               configuration: experiment.model, options: options))
        }
        let text = ModelCard(name: name, trained: shipped, fileBytes: size, metrics: metrics, baselines: baselines,
                             reproduce: reproduce).markdown
        let cardURL = url.deletingPathExtension().appendingPathExtension("md")
        try AtomicFile.write(Data(text.utf8), to: cardURL)
        print("model card → \(cardURL.path) (test MSE per frame \(String(format: "%.1f", metrics.mse.mean)))")
    }
}
