import Engine
import Foundation
import Testing

/// Locates the reference fixtures: the repository's own copy in `Tests/Fixtures` (made by
/// `scripts/copy-fixtures.py`), or `$MOTIONRNN_SHARED/fixtures` when that variable is set (to
/// test against the shared originals). A missing folder or file fails the test (it is never
/// skipped), so a broken setup cannot pass silently.
public enum Fixtures {
    public static var directory: URL {
        if let shared = ProcessInfo.processInfo.environment["MOTIONRNN_SHARED"], !shared.isEmpty {
            return URL(fileURLWithPath: shared).appendingPathComponent("fixtures")
        }
        // This file is <repository>/Tests/TestSupport/Fixtures.swift.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").standardizedFileURL
    }

    /// The fixtures this project made itself (`Tests/Fixtures/project`, e.g. by
    /// scripts/make-reverse-sampling-fixture.py), which the shared folder does not have.
    public static var projectDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/project").standardizedFileURL
    }

    /// The fixture file `name`; records a test failure if it does not exist.
    public static func url(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> URL {
        let url = directory.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path) {
            Issue.record("""
                Missing fixture \(url.path). Fixtures are read from <repository>/Tests/Fixtures \
                (scripts/copy-fixtures.py) or $MOTIONRNN_SHARED/fixtures.
                """, sourceLocation: sourceLocation)
        }
        return url
    }
}

/// The tensors of one reference fixture (`NAME.safetensors` in the shared fixtures folder).
public struct ReferenceTensors: Sendable {
    public let file: SafetensorsFile
    public var tensors: [String: Tensor] { file.tensors }

    public init(_ fixtureName: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        file = try SafetensorsFile.read(from: Fixtures.url("\(fixtureName).safetensors",
                                                           sourceLocation: sourceLocation))
    }

    public func tensor(_ name: String) throws -> Tensor { try file.tensor(name) }
}
