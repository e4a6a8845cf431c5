import ArgumentParser
import Experiments
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model, evaluate it on the test set and write the report.",
        discussion: """
            Everything goes into the --output folder: experiment.json, checkpoints/ (written \
            atomically; --resume continues the newest exactly), metrics.json, metrics.md and \
            report/index.html with the pictures.
            """)

    @OptionGroup var options: ExperimentOptions

    @Option(help: "Run folder (default: runs/<model>-<preset>).") var output: String?
    @Flag(help: "Continue the run in --output from its newest checkpoint.") var resume = false

    func run() throws {
        var experiment = try options.experiment()
        let folder = URL(fileURLWithPath: output ?? "runs/\(options.model)-\(options.preset)")
        if resume, let saved = try? TrainedModel.savedExperiment(in: folder) {
            // The saved data setup; iterations and schedule flags may still be extended.
            let iterations = experiment.training.iterations
            experiment = saved
            if options.iterations != nil { experiment.training.iterations = iterations }
        }
        printError("training \(ExperimentRunner.modelName(experiment.model)) on \(experiment.data) → \(folder.path)")
        let outcome = try ExperimentRunner.train(experiment, in: folder, resume: resume)
        print(outcome.metrics.markdownTable())
        print("trained \(outcome.iterations) iterations in \(String(format: "%.0f", outcome.trainingSeconds)) s")
        print("report: \(outcome.reportURL.path)")
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
