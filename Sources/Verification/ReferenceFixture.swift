import Engine
import Foundation

/// A reference fixture (`NAME.safetensors`) with its JSON sidecar (`NAME.json` beside it), as
/// described in the shared fixtures' README: the sidecar's `config` says what to build, the
/// safetensors file holds parameters, inputs, outputs and gradients.
public struct ReferenceFixture {
    public let url: URL
    public let sidecarURL: URL
    public let file: SafetensorsFile
    /// The parsed sidecar.
    public let sidecar: [String: Any]
    /// The sidecar's `config` object.
    public let config: [String: Any]

    public var name: String { url.deletingPathExtension().lastPathComponent }
    public var tensors: [String: Tensor] { file.tensors }

    public init(contentsOf url: URL) throws {
        self.url = url
        sidecarURL = url.deletingPathExtension().appendingPathExtension("json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ReferenceFixtureError(url.path, "no such file")
        }
        guard FileManager.default.fileExists(atPath: sidecarURL.path) else {
            throw ReferenceFixtureError(
                url.path, "missing JSON sidecar \(sidecarURL.path) (every NAME.safetensors needs NAME.json beside it)")
        }
        file = try SafetensorsFile.read(from: url)
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(contentsOf: sidecarURL))
        } catch {
            throw ReferenceFixtureError(sidecarURL.path, "is not valid JSON: \(error.localizedDescription)")
        }
        guard let object = json as? [String: Any] else {
            throw ReferenceFixtureError(sidecarURL.path, "is not a JSON object")
        }
        guard let config = object["config"] as? [String: Any] else {
            throw ReferenceFixtureError(sidecarURL.path, "has no 'config' object")
        }
        sidecar = object
        self.config = config
    }

    /// The tensor `name`; a missing one is an error naming the file.
    public func tensor(_ name: String) throws -> Tensor {
        guard let tensor = file.tensors[name] else {
            throw ReferenceFixtureError(url.path, "missing tensor '\(name)'")
        }
        return tensor
    }

    /// A list of names from the sidecar (`param_names_in_order`, `params_unused_in_forward`).
    public func names(_ key: String) -> [String]? { sidecar[key] as? [String] }

    // MARK: Reading config values (JSON numbers arrive as NSNumber, flags as 0/1 or Bool)

    /// `config[key]` as an integer; required unless a default is given.
    func integer(_ key: String, default defaultValue: Int? = nil) throws -> Int {
        guard let value = config[key] else {
            if let defaultValue { return defaultValue }
            throw ReferenceFixtureError(sidecarURL.path, "config has no '\(key)'")
        }
        if let number = value as? Int { return number }
        if let number = value as? Double, number == number.rounded() { return Int(number) }
        if let text = value as? String, let number = Int(text.trimmingCharacters(in: .whitespaces)) { return number }
        throw ReferenceFixtureError(sidecarURL.path, "config '\(key)' = \(value) is not an integer")
    }

    /// `config[key]` as a number; required unless a default is given.
    func number(_ key: String, default defaultValue: Double? = nil) throws -> Double {
        guard let value = config[key] else {
            if let defaultValue { return defaultValue }
            throw ReferenceFixtureError(sidecarURL.path, "config has no '\(key)'")
        }
        if let number = value as? Double { return number }
        if let text = value as? String, let number = Double(text.trimmingCharacters(in: .whitespaces)) { return number }
        throw ReferenceFixtureError(sidecarURL.path, "config '\(key)' = \(value) is not a number")
    }

    /// `config[key]` as a flag (0/1, true/false); false when absent.
    func flag(_ key: String) throws -> Bool {
        guard let value = config[key] else { return false }
        if let number = value as? Int, number == 0 || number == 1 { return number == 1 }
        if let bool = value as? Bool { return bool }
        throw ReferenceFixtureError(sidecarURL.path, "config '\(key)' = \(value) is not 0/1 or a boolean")
    }

    /// `config[key]` as integers: a JSON list, a single number, or a string such as "64,64,64,64".
    func integerList(_ key: String) throws -> [Int] {
        guard let value = config[key] else {
            throw ReferenceFixtureError(sidecarURL.path, "config has no '\(key)'")
        }
        if let list = value as? [Int] { return list }
        if let number = value as? Int { return [number] }
        if let text = value as? String {
            let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if !parts.isEmpty, parts.allSatisfy({ $0 != nil }) { return parts.map { $0! } }
        }
        throw ReferenceFixtureError(sidecarURL.path, "config '\(key)' = \(value) is not a list of integers")
    }

    func string(_ key: String) -> String? { config[key] as? String }
}

/// A fixture that cannot be read or verified; names the file.
public struct ReferenceFixtureError: Error, CustomStringConvertible {
    public let file: String
    public let problem: String

    public init(_ file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
