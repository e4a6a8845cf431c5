import Engine
import Foundation

/// A directory of checkpoints: `checkpoint-<iteration>.safetensors` (tensors) and
/// `checkpoint-<iteration>.json` (`CheckpointState`). Both are written atomically (temporary file
/// + rename), the JSON last, so a crash leaves at worst a tensors file without its JSON, which
/// is never taken for a checkpoint.
public struct CheckpointStore {
    public let directory: URL

    /// A checkpoint read back: its state and all its tensors.
    public struct Loaded {
        public let stateURL: URL
        public let state: CheckpointState
        public let tensors: [String: Tensor]
    }

    /// The prefix of Adam's state tensors in the tensors file.
    public static let optimizerPrefix = "optimizer."

    public init(directory: URL) {
        self.directory = directory
    }

    public func tensorsURL(iteration: Int) -> URL {
        directory.appendingPathComponent("checkpoint-\(iteration).safetensors")
    }

    public func stateURL(iteration: Int) -> URL {
        directory.appendingPathComponent("checkpoint-\(iteration).json")
    }

    // MARK: Writing

    /// Writes the tensors, then the state (with the tensors file's name and size filled in).
    /// Returns the state file's URL.
    @discardableResult
    public func write(tensors: [String: Tensor], state: CheckpointState) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tensorsURL = tensorsURL(iteration: state.iteration)
        try SafetensorsFile.write(
            tensors, metadata: ["format": "motionrnn-checkpoint", "iteration": "\(state.iteration)"],
            to: tensorsURL)
        var state = state
        state.tensorsFile = tensorsURL.lastPathComponent
        state.tensorsFileSize = try fileSize(tensorsURL)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let stateURL = stateURL(iteration: state.iteration)
        try AtomicFile.write(try encoder.encode(state), to: stateURL)
        return stateURL
    }

    /// Keeps the newest `keep` complete checkpoints and deletes the others (state file first, so
    /// that a checkpoint never looks complete without its tensors), plus any tensors file left
    /// without a state by an interrupted write older than the newest complete checkpoint.
    public func prune(keep: Int) throws {
        precondition(keep >= 1, "CheckpointStore.prune: keep must be at least 1, got \(keep)")
        let complete = try completeIterations()
        let fileManager = FileManager.default
        for iteration in complete.dropLast(keep) {
            try fileManager.removeItem(at: stateURL(iteration: iteration))
            try? fileManager.removeItem(at: tensorsURL(iteration: iteration))
        }
        guard let newest = complete.last else { return }
        for (iteration, name) in try listing() where name.hasSuffix(".safetensors")
            && iteration < newest && !complete.contains(iteration) {
            try? fileManager.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    // MARK: Reading

    /// Iterations of the complete checkpoints (those with a state file), oldest first.
    public func completeIterations() throws -> [Int] {
        try listing().filter { $0.name.hasSuffix(".json") }.map(\.iteration).sorted()
    }

    /// The newest complete checkpoint, loaded and checked.
    public func loadNewest() throws -> Loaded {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw CheckpointError(path: directory.path, "no such directory")
        }
        guard let newest = try completeIterations().last else {
            throw CheckpointError(
                path: directory.path,
                "holds no complete checkpoint (a checkpoint-<iteration>.json beside its .safetensors)")
        }
        return try load(stateURL: stateURL(iteration: newest))
    }

    /// Loads one checkpoint from its state file; every problem names the file at fault.
    public func load(stateURL: URL) throws -> Loaded {
        let path = stateURL.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw CheckpointError(path: path, "no such file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: stateURL)
        } catch {
            throw CheckpointError(path: path, "cannot be read (\(error.localizedDescription))")
        }
        let state: CheckpointState
        do {
            state = try JSONDecoder().decode(CheckpointState.self, from: data)
        } catch let error as DecodingError {
            throw CheckpointError(path: path, "is not a valid checkpoint state: \(Self.explain(error))")
        } catch {
            throw CheckpointError(path: path, "is not a valid checkpoint state: \(error)")
        }
        if let named = Self.iteration(inFileName: stateURL.lastPathComponent), named != state.iteration {
            throw CheckpointError(path: path, "records iteration \(state.iteration), its name says \(named)")
        }
        let tensorsURL = stateURL.deletingLastPathComponent().appendingPathComponent(state.tensorsFile)
        guard FileManager.default.fileExists(atPath: tensorsURL.path) else {
            throw CheckpointError(path: tensorsURL.path, "is missing (named by \(stateURL.lastPathComponent))")
        }
        let size = try fileSize(tensorsURL)
        guard size == state.tensorsFileSize else {
            throw CheckpointError(
                path: tensorsURL.path,
                "is \(size) bytes, \(stateURL.lastPathComponent) says \(state.tensorsFileSize): truncated or replaced")
        }
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile.read(from: tensorsURL)
        } catch let error as SafetensorsError {
            throw CheckpointError(path: tensorsURL.path, "is corrupt: \(error)")
        }
        return Loaded(stateURL: stateURL, state: state, tensors: file.tensors)
    }

    // MARK: Details

    /// `(iteration, file name)` of every checkpoint file in the directory (none if it is missing).
    private func listing() throws -> [(iteration: Int, name: String)] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).compactMap { name in
            Self.iteration(inFileName: name).map { ($0, name) }
        }
    }

    /// The iteration in `checkpoint-<iteration>.json|safetensors`, nil for any other name.
    static func iteration(inFileName name: String) -> Int? {
        guard name.hasPrefix("checkpoint-") else { return nil }
        for suffix in [".json", ".safetensors"] where name.hasSuffix(suffix) {
            let digits = name.dropFirst("checkpoint-".count).dropLast(suffix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
            return Int(digits)
        }
        return nil
    }

    private func fileSize(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.size] as? NSNumber)?.intValue ?? 0
    }

    /// A decoding error as one line: which field, what went wrong.
    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "" : "field '\(keys.joined(separator: "."))': "
        }
        switch error {
        case .keyNotFound(let key, let context):
            return path(context) + "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context),
             .dataCorrupted(let context):
            return path(context) + context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
