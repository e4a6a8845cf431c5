import ArgumentParser
import Experiments
import Foundation

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
    @Option(help: "The file to write (.safetensors).") var output: String

    func run() throws {
        guard output.hasSuffix(".safetensors") else {
            throw ValidationError("--output '\(output)' must end in .safetensors")
        }
        let trained = try PretrainedModel.export(run: URL(fileURLWithPath: runFolder),
                                                 checkpoint: checkpoint.map { URL(fileURLWithPath: $0) },
                                                 to: URL(fileURLWithPath: output))
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print("\(ExperimentRunner.modelName(trained.experiment.model)) at iteration \(trained.iteration) → \(output) (\(size / 1024) KiB)")
    }
}
