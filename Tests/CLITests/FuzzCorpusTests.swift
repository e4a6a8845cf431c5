import Foundation
import Testing

/// Replays the fuzzing seeds and every past finding (Tests/Fuzz/Regressions/TARGET/, added once
/// fixed) through the readers: each must be accepted or refused, never crash.
@Suite struct FuzzCorpusTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static var replayer: URL {
        CommandLineRun.executable.deletingLastPathComponent().appendingPathComponent("motionrnn-fuzz")
    }

    @Test func seedsAndRegressionsNeitherCrashNorHang() throws {
        var replayed = 0
        for kind in ["Corpus", "Regressions"] {
            let root = Self.fuzzFolder.appendingPathComponent(kind)
            let targets = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
            for target in targets.sorted() {
                let folder = root.appendingPathComponent(target)
                let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                    .map { folder.appendingPathComponent($0).path }
                guard !files.isEmpty else { continue }
                let process = Process()
                process.executableURL = Self.replayer
                process.arguments = [target] + files
                process.standardOutput = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
                #expect(process.terminationReason == .exit && process.terminationStatus == 0,
                        "\(kind)/\(target): exit \(process.terminationStatus)")
                replayed += files.count
            }
        }
        #expect(replayed >= 10, "only \(replayed) inputs found under \(Self.fuzzFolder.path)")
    }
}
