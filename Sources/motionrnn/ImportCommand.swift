import ArgumentParser
import Experiments
import Foundation

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Make a pretrained-model file from parameters trained elsewhere (e.g. with the official PyTorch code).",
        discussion: """
            STATE_DICT is a safetensors file of the model's parameters under their official names: \
            a PyTorch checkpoint of the official code (thuml's `model.ckpt-N`, OpenSTL's .pth or \
            .ckpt) becomes one with `python3 scripts/convert-official-checkpoint.py CHECKPOINT \
            STATE_DICT` (needs torch). The model and data flags (those of `train`: --model, \
            --preset, --hidden, --filter-size, --patch-size, --image-size, --channels, \
            --input-length, --output-length, --layer-norm, --data …) must describe the model it \
            was trained as; every parameter must be there with its shape. The file written works \
            wherever a pretrained model does (`predict`, `test`, `compare`, `train --init-from`); \
            its metadata says it was imported, and its frame statistics and recorded check come \
            from the data the flags name. One difference remains (README, "Where we differ"): the \
            official code starts every sequence from random initial states, this tool from zeros.
            """)

    @Argument(help: "The parameters: a safetensors file under the official names.") var stateDict: String
    @OptionGroup var options: ExperimentOptions
    @Option(help: "The pretrained-model file to write (.safetensors).") var output: String
    @Flag(help: "Skip tensors the model has no parameter for (OpenSTL's ConvLSTM and MIM keep some that their forward pass never uses).")
    var ignoreUnknown = false

    func validate() throws {
        guard output.hasSuffix(".safetensors") else {
            throw ValidationError("--output '\(output)' must end in .safetensors")
        }
        guard options.initFrom == nil else {
            throw ValidationError("--init-from does not apply to import: the parameters come from \(stateDict)")
        }
    }

    func run() throws {
        let experiment = try options.experiment()
        let imported = try TrainedModel(importing: URL(fileURLWithPath: stateDict), experiment: experiment,
                                        ignoringUnknown: ignoreUnknown) { names in
            printError("skipped \(names.count) tensors the model has no parameter for: \(names.joined(separator: ", "))")
        }
        try PretrainedModel.write(imported, to: URL(fileURLWithPath: output))
        let count = imported.model.namedParameters.reduce(0) { $0 + $1.parameter.value.count }
        print("\(experiment.model.displayName), layers \(experiment.model.hiddenChannels), \(count) parameters from \(stateDict) → \(output)")
    }
}
