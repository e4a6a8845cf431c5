import ArgumentParser
import Experiments
import Foundation

/// Which trained model a command uses: a run folder written by `motionrnn train`, or a
/// pretrained model (`--pretrained`, a shipped name or a file written by `motionrnn export`).
/// The positional argument takes a pretrained model as well, as `compare` does: a file, or a
/// shipped model's name where nothing is at that path.
struct ModelChoice: ParsableArguments {
    @Option(help: ArgumentHelp("A pretrained model: the name of one shipped under models/ (e.g. vmnist-motionrnn-predrnn) or a file written by `motionrnn export`; replaces the run folder.",
                               valueName: "name-or-file"))
    var pretrained: String?

    @Option(help: "A checkpoint's .json in the run (default: the newest).") var checkpoint: String?

    /// The model from `run` (a run folder, or a pretrained model) or from --pretrained; exactly
    /// one must be given.
    func load(run: String?) throws -> TrainedModel {
        switch (run, pretrained) {
        case (let run?, nil):
            if Self.namesPretrainedModel(run) { return try loadPretrained(run) }
            let folder = URL(fileURLWithPath: run)
            guard FileManager.default.fileExists(atPath: folder.path) else {
                throw ValidationError("\(folder.path): no such run folder, nor a shipped model" + Self.shippedList)
            }
            return try TrainedModel(run: folder, checkpoint: checkpoint.map { URL(fileURLWithPath: $0) })
        case (nil, let name?):
            return try loadPretrained(name)
        case (.some, .some):
            throw ValidationError("give either a run folder or --pretrained, not both")
        case (nil, nil):
            throw ValidationError("give a run folder or --pretrained NAME" + Self.shippedList)
        }
    }

    private func loadPretrained(_ name: String) throws -> TrainedModel {
        guard checkpoint == nil else { throw ValidationError("--checkpoint applies to a run folder, not to a pretrained model (\(name))") }
        return try TrainedModel(pretrained: name)
    }

    /// A default output folder: inside the run, or named after the pretrained model.
    func defaultOutput(run: String?, _ leaf: String) -> URL {
        if let run, !Self.namesPretrainedModel(run) {
            return URL(fileURLWithPath: run).appendingPathComponent(leaf)
        }
        let name = TrainedModel.labels(for: [run ?? pretrained ?? "model"])[0]
        return URL(fileURLWithPath: "\(leaf)-\(name)")
    }

    /// " (shipped: a, b)", the models shipped under models/; empty when none is found.
    private static var shippedList: String {
        let known = PretrainedModel.available()
        return known.isEmpty ? "" : " (shipped: \(known.joined(separator: ", ")))"
    }

    /// Whether `run` names a pretrained model rather than a run folder: a file, or a shipped
    /// model's name with nothing at that path (not a folder, nor a path that is not there).
    private static func namesPretrainedModel(_ run: String) -> Bool {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: run, isDirectory: &isFolder) { return !isFolder.boolValue }
        return (try? PretrainedModel.locate(run)) != nil
    }
}
