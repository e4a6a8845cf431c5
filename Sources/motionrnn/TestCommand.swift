import ArgumentParser
import DataSources
import Engine
import Metrics
import Experiments
import Foundation

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Evaluate a trained run or a pretrained model on its test set (or other data): metrics and report.")

    @Argument(help: "The run folder written by `motionrnn train` (or use --pretrained).") var runFolder: String?
    @OptionGroup var choice: ModelChoice
    @Option(help: "Evaluate on other data (vmnist, radar, a .npy/.npz file, frames) instead of the run's test set.") var data: String?
    @Option(help: "Test sequences to evaluate.") var testCount: Int?
    @Option(help: "Where to write metrics and report (default: <run>/test, or test-<name> for --pretrained).") var output: String?
    @Flag(help: "Also score the copy-last-input-frame baseline on the same sequences (written to baseline-copy-last.md).")
    var copyLastBaseline = false

    func run() throws {
        let trained = try choice.load(run: runFolder)
        var experiment = trained.experiment
        if let data { experiment.data = try DataSource(parsing: data) }
        if let testCount {
            guard testCount >= 1 else { throw ValidationError("--test-count must be at least 1, got \(testCount)") }
            experiment.testCount = testCount
        }
        let testSet = try experiment.data.datasets(experiment.dataOptions).test
        try ExperimentRunner.checkFrames(of: testSet, experiment: experiment)
        let folder = output.map { URL(fileURLWithPath: $0) } ?? choice.defaultOutput(run: runFolder, "test")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let (reportURL, metrics) = try ExperimentRunner.evaluate(
            trained.model, experiment: experiment, testSet: testSet, in: folder, history: trained.history,
            notes: ["\(trained.checkpoint.lastPathComponent) (iteration \(trained.iteration))"])
        print(metrics.markdownTable())
        if copyLastBaseline {
            let baseline = try Evaluation.copyLastFrame(
                on: testSet, count: experiment.testCount, batchSize: experiment.training.batchSize,
                configuration: experiment.model, options: experiment.data == .radar ? .radar : MetricsOptions())
            try AtomicFile.write(Data(baseline.markdownTable().utf8),
                                 to: folder.appendingPathComponent("baseline-copy-last.md"))
            print("copy the last input frame:")
            print(baseline.markdownTable())
        }
        print("report: \(reportURL.path)")
    }
}
