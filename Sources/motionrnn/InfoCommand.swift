import ArgumentParser
import Foundation
import Predictor

/// `motionrnn info`: parameter count and multiply-adds of the paper's models (Table 2).
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Parameter count and multiply-adds of a model in one of the paper's settings.",
        discussion: """
            Multiply-adds are counted while one inference forward pass over one sequence runs \
            (batch 1, input + output frames, one recurrent step per frame but the last): every \
            convolution and matrix product, biases and element-wise operations excluded. \
            Presets (all 4 layers × 64 channels, filter 5, patch 4): human 128×128×3, 4 → 4 frames; \
            mnist 64×64×1, 10 → 10; radar 64×64×1, 5 → 10.
            """)

    @Option(help: "The model.")
    var model: ModelName?

    @Option(help: "human, mnist or radar.")
    var preset: String = "human"

    @Flag(help: "Report every model.")
    var all = false

    func validate() throws {
        if all == (model != nil) {
            throw ValidationError("give either --model M or --all")
        }
        if ModelPreset(rawValue: preset) == nil {
            throw ValidationError("--preset must be one of \(ModelPreset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let preset = ModelPreset(rawValue: preset)!
        let names = all ? ModelName.all : [model!]
        let first = ModelConfiguration(model: names[0], preset: preset)
        print("preset \(preset.rawValue): \(first.imageHeight)×\(first.imageWidth)×\(first.imageChannels), "
              + "patch \(first.patchSize), \(first.hiddenChannels.count) layers × \(first.hiddenChannels[0]), "
              + "filter \(first.filterSize), \(first.inputLength) → \(first.totalLength - first.inputLength) frames "
              + "(\(first.totalLength - 1) recurrent steps)")
        print(Self.row("model", "parameters", "params (M)", "GMACs / sequence", "GMACs / step"))
        var failed = false
        for name in names {
            let configuration = ModelConfiguration(model: name, preset: preset)
            do {
                let complexity = try ModelComplexity.measure(configuration)
                print(Self.row(name.description, "\(complexity.parameterCount)",
                               String(format: "%.3f", Double(complexity.parameterCount) / 1e6),
                               String(format: "%.2f", Double(complexity.multiplyAdds) / 1e9),
                               String(format: "%.3f", complexity.multiplyAddsPerStep / 1e9)))
            } catch let error as ModelConfigurationError where error.field == "backbone" {
                print(Self.row(name.description, "—", "—", "—", "—") + "  (\(error.message))")
                failed = failed || !all
            }
        }
        if failed { throw ExitCode.failure }
    }

    static func row(_ name: String, _ parameters: String, _ millions: String, _ sequence: String,
                    _ step: String) -> String {
        func left(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        func right(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        return left(name, 20) + right(parameters, 11) + right(millions, 12) + right(sequence, 18) + right(step, 14)
    }
}
