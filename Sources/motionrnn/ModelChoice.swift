import ArgumentParser
import Experiments
import Foundation

/// Which trained model a command uses: a run folder written by `motionrnn train`, or a
/// pretrained model (`--pretrained`, a shipped name or a file written by `motionrnn export`).
struct ModelChoice: ParsableArguments {
    @Option(help: ArgumentHelp("A pretrained model: the name of one shipped under models/ (e.g. vmnist-motionrnn-predrnn) or a file written by `motionrnn export`; replaces the run folder.",
                               valueName: "name-or-file"))
    var pretrained: String?

    @Option(help: "A checkpoint's .json in the run (default: the newest).") var checkpoint: String?

    /// The model from `run` (a run folder) or from --pretrained; exactly one must be given.
    func load(run: String?) throws -> TrainedModel {
        switch (run, pretrained) {
        case (let run?, nil):
            return try TrainedModel(run: URL(fileURLWithPath: run), checkpoint: checkpoint.map { URL(fileURLWithPath: $0) })
        case (nil, let name?):
            guard checkpoint == nil else { throw ValidationError("--checkpoint applies to a run folder, not to --pretrained") }
            return try TrainedModel(pretrained: name)
        case (.some, .some):
            throw ValidationError("give either a run folder or --pretrained, not both")
        case (nil, nil):
            let known = PretrainedModel.available()
            throw ValidationError("give a run folder or --pretrained NAME"
                                  + (known.isEmpty ? "" : " (shipped: \(known.joined(separator: ", ")))"))
        }
    }

    /// A default output folder: inside the run, or named after the pretrained model.
    func defaultOutput(run: String?, _ leaf: String) -> URL {
        if let run { return URL(fileURLWithPath: run).appendingPathComponent(leaf) }
        let name = TrainedModel.labels(for: [pretrained ?? "model"])[0]
        return URL(fileURLWithPath: "\(leaf)-\(name)")
    }
}
