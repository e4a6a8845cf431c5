import Datasets
import Foundation
import Testing

/// `motionrnn fvd` refuses what I3D or the distance cannot score before any costly work, naming
/// the set, the flag or the missing weights.
@Suite struct FVDCommandTests {
    /// A .npy of `count` grey videos of `frames` frames of 16×16.
    static func videos(_ folder: URL, _ name: String, count: Int, frames: Int) throws -> String {
        let url = folder.appendingPathComponent(name)
        let shape = [count, frames, 16, 16]
        try NPYArray.encode(uint8: (0..<shape.reduce(1, *)).map { UInt8($0 % 251) }, shape: shape).write(to: url)
        return url.path
    }

    @Test func refusesShortVideosSingleVideosAndMissingWeights() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try Self.videos(folder, "good.npy", count: 2, frames: 9)
        let short = try Self.videos(folder, "short.npy", count: 2, frames: 8)
        let single = try Self.videos(folder, "single.npy", count: 1, frames: 12)
        try CommandLineRun(["fvd", good, short]).expectRefusal(mentioning: [short, "8 frames", "at least 9"])
        try CommandLineRun(["fvd", single, good]).expectRefusal(mentioning: [single, "1 video", "--clip-length"])
        try CommandLineRun(["fvd", good, good, "--clip-length", "4"]).expectRefusal(mentioning: ["--clip-length", "9"])
        let missing = folder.appendingPathComponent("none.safetensors").path
        try CommandLineRun(["fvd", good, good], environment: ["MOTIONRNN_I3D": missing])
            .expectRefusal(mentioning: [missing, "scripts/setup.sh"])
        try CommandLineRun(["fvd", good, folder.appendingPathComponent("absent.npy").path])
            .expectRefusal(mentioning: ["absent.npy"])
    }
}

/// `test --fvd` on sequences too short for I3D says so instead of a number.
@Suite struct TestFVDTests {
    @Test func shortSequencesGetNoFVD() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run").path
        let trained = try CommandLineRun(["train"] + TrainingFlagsTests.tiny + ["--iterations", "1", "--output", output])
        #expect(trained.status == 0, "\(trained.error)")
        let tested = try CommandLineRun(["test", output, "--fvd"], environment: ["MOTIONRNN_I3D": "/nonexistent"])
        #expect(tested.status == 0, "\(tested.error)")
        #expect(tested.output.contains("FVD: not computed: sequences of 4 frames are too short for I3D"), "\(tested.output)")
    }
}
