import Foundation
import Testing
import Training

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
        self = try RunningCommand(arguments, in: directory, environment: environment, executable: executable).finish()
    }

    init(status: Int32, signalled: Bool, output: String, error: String) {
        (self.status, self.signalled, self.output, self.error) = (status, signalled, output, error)
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

/// A started command, for tests that act while it runs (send it a signal, kill a child).
/// Its output goes to files, not pipes: a chatty child can never block on a full pipe.
final class RunningCommand {
    let process = Process()
    private let folder: URL
    private let outURL: URL, errURL: URL
    private let out: FileHandle, err: FileHandle

    init(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
         executable: URL = CommandLineRun.executable) throws {
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-cli-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        (outURL, errURL) = (folder.appendingPathComponent("out"), folder.appendingPathComponent("err"))
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        (out, err) = (try FileHandle(forWritingTo: outURL), try FileHandle(forWritingTo: errURL))
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        // A child inherits the blocked signals of the thread that starts it, and the test
        // runner's threads have SIGINT and SIGTERM blocked: unblocked here while it starts, so
        // that a test can send them (to mpirun, which does not unblock them itself).
        var signals = sigset_t(), previous = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
    }

    /// What it has written to standard error so far.
    var errorSoFar: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    /// Waits up to `seconds` while it runs and `condition` is false; whether `condition` held.
    @discardableResult
    func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while process.isRunning, Date() < deadline, !condition() { usleep(50_000) }
        return condition()
    }

    /// Waits for its end and reads what it wrote.
    func finish() throws -> CommandLineRun {
        process.waitUntilExit()
        try out.close()
        try err.close()
        let outputBytes = try Data(contentsOf: outURL), errorBytes = try Data(contentsOf: errURL)
        return CommandLineRun(status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
                              output: String(decoding: outputBytes, as: UTF8.self),
                              error: String(decoding: errorBytes, as: UTF8.self))
    }

    /// Ends it with SIGKILL if it still runs, so that a failed test leaves nothing behind: a
    /// process started from the test runner may have SIGTERM blocked (see `StopRequest`).
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// The iteration of a run folder's newest complete checkpoint, or nil.
func newestCheckpoint(in run: String) throws -> Int? {
    try CheckpointStore(directory: URL(fileURLWithPath: run + "/checkpoints")).completeIterations().last
}

func temporaryFolder(_ name: String = #function) throws -> URL {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("motionrnn-cli-\(name.filter(\.isLetter))-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
