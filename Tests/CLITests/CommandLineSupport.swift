import Foundation
import Testing

/// Runs the built `motionrnn` executable as a user would, and checks how it failed.
struct CommandLineRun {
    let status: Int32
    let signalled: Bool
    let output: String
    let error: String

    /// The executable SwiftPM built beside this test bundle.
    static var executable: URL {
        let bundleFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let besideBundle = bundleFolder.appendingPathComponent("motionrnn")
        if FileManager.default.isExecutableFile(atPath: besideBundle.path) { return besideBundle }
        // <repository>/Tests/CLITests/CommandLineSupport.swift → <repository>/.build/debug/motionrnn
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/motionrnn")
    }

    /// Runs `executable` (default: the built `motionrnn`) with `arguments` to its end.
    init(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
         executable: URL = Self.executable) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // Files, not pipes: a chatty child can never block on a full pipe.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-cli-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (outURL, errURL) = (folder.appendingPathComponent("out"), folder.appendingPathComponent("err"))
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let (out, err) = (try FileHandle(forWritingTo: outURL), try FileHandle(forWritingTo: errURL))
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let outputBytes = try Data(contentsOf: outURL), errorBytes = try Data(contentsOf: errURL)
        status = process.terminationStatus
        signalled = process.terminationReason == .uncaughtSignal
        output = String(decoding: outputBytes, as: UTF8.self)
        error = String(decoding: errorBytes, as: UTF8.self)
    }

    /// A clean refusal: exit status 1–127 (no signal, no trap) and a message with every `phrase`.
    func expectRefusal(mentioning phrases: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!signalled && (1...127).contains(status),
                "exit status \(status)\(signalled ? " (signal)" : ""): \(error)", sourceLocation: sourceLocation)
        for phrase in phrases {
            #expect(error.contains(phrase), "message lacks '\(phrase)': \(error)", sourceLocation: sourceLocation)
        }
    }
}

func temporaryFolder(_ name: String = #function) throws -> URL {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("motionrnn-cli-\(name.filter(\.isLetter))-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
