import ArgumentParser
import Datasets
import Engine
import Metrics
import Experiments
import FVD
import Foundation

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Evaluate a trained run or a pretrained model on its test set (or other data): metrics and report.")

    @Argument(help: "The run folder written by `motionrnn train`, or a pretrained model (a shipped name or a file, as --pretrained).") var runFolder: String?
    @OptionGroup var choice: ModelChoice
    @OptionGroup var heldOut: HeldOutData
    @Option(help: "Test sequences to evaluate.") var testCount: Int?
    @Option(help: "Where to write metrics and report (default: <run>/test, or test-<name> for --pretrained).") var output: String?
    @Flag(help: "Also score the copy-last-input-frame baseline on the same sequences (written to baseline-copy-last.md).")
    var copyLastBaseline = false
    @Flag(help: "Also compute FVD of the whole predicted sequences (inputs + predictions) vs the true ones (needs ≥ 9 frames and the I3D weights: bash scripts/setup.sh; about 70 GFLOP per 20-frame sequence).")
    var fvd = false
    @Option(help: "The converted I3D weights for --fvd (default $MOTIONRNN_I3D, else ~/.cache/motionrnn/i3d-kinetics-400.safetensors).")
    var fvdWeights: String?

    func validate() throws {
        try requireAtLeastOne(testCount, "--test-count")
    }

    func run() throws {
        let trained = try choice.load(run: runFolder)
        var experiment = trained.experiment
        let testSet = try heldOut.sequences(for: &experiment, count: testCount ?? experiment.testCount)
        try ExperimentRunner.checkFrames(of: testSet, experiment: experiment)
        let folder = output.map { URL(fileURLWithPath: $0) } ?? choice.defaultOutput(run: runFolder, "test")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let (reportURL, metrics) = try ExperimentRunner.evaluate(
            trained.model, experiment: experiment, testSet: testSet, in: folder, history: trained.history,
            notes: ["\(trained.checkpoint.lastPathComponent) (iteration \(trained.iteration))", "scored on \(heldOut.name(of: experiment))"])
        print(metrics.markdownTable())
        if copyLastBaseline {
            let baseline = try Evaluation.score(
                .copyLast, on: testSet, count: experiment.testCount, batchSize: experiment.training.batchSize,
                configuration: experiment.model, options: experiment.metricsOptions)
            try AtomicFile.write(Data(baseline.markdownTable().utf8),
                                 to: folder.appendingPathComponent("baseline-copy-last.md"))
            print("copy the last input frame:")
            print(baseline.markdownTable())
        }
        if fvd { try scoreFVD(trained, experiment: experiment, testSet: testSet, folder: folder) }
        print("report: \(reportURL.path)")
    }

    /// FVD of predicted vs true sequences, written to fvd.md; only where I3D can see them.
    private func scoreFVD(_ trained: TrainedModel, experiment: Experiment, testSet: any SequenceDataset,
                          folder: URL) throws {
        let length = experiment.model.totalLength
        guard length >= I3D.minimumFrames else {
            print("FVD: not computed: sequences of \(length) frames are too short for I3D (it needs at least \(I3D.minimumFrames))")
            return
        }
        let (truth, predicted) = try Evaluation.sequences(
            of: trained.model, on: testSet, count: experiment.testCount, batchSize: experiment.training.batchSize,
            configuration: experiment.model)
        let result = try FVDScoring.score(truth, predicted, names: ("true sequences", "predicted sequences"),
                                          weights: fvdWeights)
        let text = String(format: "FVD (inputs + predictions vs true, %d frames, n = %d + %d): %.4f\n",
                          length, result.counts.0, result.counts.1, result.fvd)
        try AtomicFile.write(Data(text.utf8), to: folder.appendingPathComponent("fvd.md"))
    }
}
