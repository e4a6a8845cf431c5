import ArgumentParser
import Experiments
import Foundation
import Metrics

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Evaluate several trained models on the same held-out sequences, side by side, with the copy-last and all-black baselines.",
        discussion: """
            Each MODEL is a run folder, a shipped model's name (see models/) or a file written by \
            `motionrnn export`. Writes metrics.json and report/index.html: mean metrics, a plot per \
            metric over the predicted frames, and the same sequences predicted by each model (the \
            first few, and the first model's best, median and worst), each with every model's MSE.
            """)

    @Argument(help: ArgumentHelp("Models to compare: run folders, shipped names or files.", valueName: "model"))
    var models: [String]
    @OptionGroup var heldOut: HeldOutData
    @Option(help: "Sequences to score.") var testCount = 256
    @Option(help: "Sequences drawn in the report: the first N, then (unless --no-spread-examples) those where the first model does best, at its median and worst MSE.")
    var examples = 3
    @Flag(inversion: .prefixedNo, help: "Also draw the first model's best, median and worst sequences by MSE (not with --examples 0).")
    var spreadExamples = true
    @Option(help: "Where to write metrics.json and report/.") var output = "compare"

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("give at least one model to evaluate") }
        try requireAtLeastOne(testCount, "--test-count")
        guard examples >= 0 else { throw ValidationError("--examples must not be negative, got \(examples)") }
    }

    func run() throws {
        let loaded = try models.map(TrainedModel.init(runOrPretrained:))
        var experiment = loaded[0].experiment
        let testSet = try heldOut.sequences(for: &experiment, count: testCount)
        let named = zip(TrainedModel.labels(for: models), loaded).map { (name: $0, trained: $1) }
        printError("scoring \(named.map(\.name).joined(separator: ", ")) on \(min(testCount, testSet.count)) sequences of \(heldOut.name(of: experiment))")
        let result = try Comparison.run(named, on: testSet, dataName: heldOut.name(of: experiment), count: testCount,
                                        batchSize: experiment.training.batchSize, exampleCount: examples,
                                        spreadExamples: spreadExamples,
                                        options: experiment.metricsOptions,
                                        in: URL(fileURLWithPath: output))
        for (name, metrics) in zip(result.names, result.metrics) {
            print("\(name): mean MSE \(String(format: "%.1f", metrics.mse.mean)), SSIM \(String(format: "%.3f", metrics.ssim.mean)), frame \(metrics.frameCount) MSE \(String(format: "%.1f", metrics.mse.perFrame.last ?? .nan))")
        }
        for line in result.pairedSummaries { print(line) }
        print("report: \(result.reportURL.path)")
    }
}
