import ArgumentParser
import Experiments
import Foundation
import Predictor

/// `motionrnn info`: parameter count and multiply-adds of the paper's models (Table 2), or of a
/// trained one.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Parameter count and multiply-adds of a model in one of the paper's settings, or of a trained model.",
        discussion: """
            motionrnn info --model M [--preset P], motionrnn info --all [--preset P], or for a \
            trained model motionrnn info RUN or motionrnn info NAME (a pretrained model; or \
            --pretrained NAME), in its own setting. \
            Multiply-adds are counted while one inference forward pass over one sequence runs \
            (batch 1, input + output frames, one recurrent step per frame but the last): every \
            convolution and matrix product, biases and element-wise operations excluded. \
            Presets (all 4 layers × 64 channels, filter 5, patch 4): human 128×128×3, 4 → 4 frames; \
            mnist 64×64×1, 10 → 10; radar 64×64×1, 5 → 10.
            """)

    @Argument(help: "A run folder written by `motionrnn train`, or a pretrained model (a shipped name or a file, as --pretrained).")
    var runFolder: String?

    @OptionGroup var choice: ModelChoice

    @Option(help: "The model.")
    var model: ModelName?

    @Option(help: "human, mnist or radar.")
    var preset: String = "human"

    @Flag(help: "Report every model.")
    var all = false

    var trained: Bool { runFolder != nil || choice.pretrained != nil }

    func validate() throws {
        if [all, model != nil, trained].filter({ $0 }).count != 1 {
            throw ValidationError("give one of --model M, --all, a run folder or --pretrained NAME")
        }
        if ModelPreset(rawValue: preset) == nil {
            throw ValidationError("--preset must be one of \(ModelPreset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        if trained {
            let configuration = try choice.load(run: runFolder).experiment.model
            print("\(configuration.displayName): " + Self.setting(configuration))
            print(Self.row("model", "parameters", "params (M)", "GMACs / sequence", "GMACs / step"))
            print(Self.row(try ModelComplexity.measure(configuration)))
            return
        }
        let preset = ModelPreset(rawValue: preset)!
        let names = all ? ModelName.all : [model!]
        print("preset \(preset.rawValue): " + Self.setting(ModelConfiguration(model: names[0], preset: preset)))
        print(Self.row("model", "parameters", "params (M)", "GMACs / sequence", "GMACs / step"))
        var failed = false
        for name in names {
            let configuration = ModelConfiguration(model: name, preset: preset)
            do {
                print(Self.row(try ModelComplexity.measure(configuration)))
            } catch let error as ModelConfigurationError where error.field == "backbone" {
                print(Self.row(name.description, "—", "—", "—", "—") + "  (\(error.message))")
                failed = failed || !all
            }
        }
        if failed { throw ExitCode.failure }
    }

    /// Frame size, patch, layers, filter and lengths.
    static func setting(_ c: ModelConfiguration) -> String {
        let layers = Set(c.hiddenChannels).count == 1 ? "\(c.hiddenChannels.count) layers × \(c.hiddenChannels[0])"
            : "layers \(c.hiddenChannels.map(String.init).joined(separator: ", "))"
        return "\(c.imageHeight)×\(c.imageWidth)×\(c.imageChannels), patch \(c.patchSize), \(layers), "
            + "filter \(c.filterSize), \(c.inputLength) → \(c.totalLength - c.inputLength) frames "
            + "(\(c.totalLength - 1) recurrent steps)"
    }

    static func row(_ complexity: ModelComplexity) -> String {
        row(complexity.configuration.name, "\(complexity.parameterCount)",
            String(format: "%.3f", Double(complexity.parameterCount) / 1e6),
            String(format: "%.2f", Double(complexity.multiplyAdds) / 1e9),
            String(format: "%.3f", complexity.multiplyAddsPerStep / 1e9))
    }

    static func row(_ name: String, _ parameters: String, _ millions: String, _ sequence: String,
                    _ step: String) -> String {
        func left(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        return left(name, 20) + right(parameters, 11) + right(millions, 12) + right(sequence, 18) + right(step, 14)
    }
}
