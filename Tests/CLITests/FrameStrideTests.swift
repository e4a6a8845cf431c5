import Foundation
import Imaging
import Testing
import TestSupport

/// `compare` and `test` score a clip with the frame stride asked for (a model fine-tuned on every
/// 2nd frame is compared with another on the same task) and say which stride they used;
/// `predict` takes the frames as its model was trained unless told otherwise.
@Suite(.serialized) struct FrameStrideTests {
    /// 60 frames of a square moving 2 px per frame: copying the last frame costs more when every
    /// 2nd frame is taken.
    func movingSquare(in folder: URL) throws -> URL {
        let frames = folder.appendingPathComponent("clip")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        for t in 0..<60 {
            var image = Image(width: 64, height: 64, channels: 1, fill: .black)
            image.fillRect(x: 2 * (t % 24), y: 20, width: 12, height: 12, color: .white)
            try PNG.write(image, to: frames.appendingPathComponent(String(format: "f%02d.png", t)))
        }
        return frames
    }

    @Test func frameStrideChoosesTheScoredFrames() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try movingSquare(in: folder)
        let run = folder.appendingPathComponent("run").path
        let trained = try CommandLineRun(["train"] + TrainingFlagsTests.tiny + ["--iterations", "1", "--output", run])
        #expect(trained.status == 0, "\(trained.error)")

        func copyLast(_ extra: [String]) throws -> (said: String, score: Double) {
            let scored = try CommandLineRun(["compare", run, "--data", clip.path, "--examples", "0",
                                             "--output", folder.appendingPathComponent("scores\(extra.count)").path] + extra)
            #expect(scored.status == 0, "\(scored.error)")
            let line = scored.output.split(separator: "\n").first { $0.hasPrefix("copy last input frame:") } ?? ""
            let score = line.split(separator: " ").drop { $0 != "MSE" }.dropFirst().first.flatMap { Double($0.dropLast()) }
            return (scored.error, score ?? .nan)
        }
        let (every, strided) = (try copyLast([]), try copyLast(["--frame-stride", "2"]))
        #expect(!every.said.contains("frame stride") && strided.said.contains("frame stride 2"), "\(strided.said)")
        #expect(strided.score > every.score, "copy-last MSE \(every.score) at stride 1, \(strided.score) at stride 2")

        try CommandLineRun(["compare", run, "--frame-stride", "0"]).expectRefusal(mentioning: ["--frame-stride"])
        try CommandLineRun(["test", run, "--frame-stride", "0"]).expectRefusal(mentioning: ["--frame-stride"])
    }

    @Test func predictTakesFramesAsTheModelWasTrained() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let clip = try movingSquare(in: folder)
        let run = folder.appendingPathComponent("run").path
        let trained = try CommandLineRun(["train"] + TrainingFlagsTests.tiny
                                         + ["--data", clip.path, "--frame-stride", "2", "--iterations", "1", "--output", run])
        #expect(trained.status == 0, "\(trained.error)")
        func strip(_ extra: [String]) throws -> Data {
            let output = folder.appendingPathComponent("predicted\(extra.joined())")
            let predicted = try CommandLineRun(["predict", run, clip.path, "--output", output.path] + extra)
            #expect(predicted.status == 0, "\(predicted.error)")
            return try Data(contentsOf: output.appendingPathComponent("strip.png"))
        }
        let (byDefault, everySecond, everyFrame) = (try strip([]), try strip(["--frame-stride", "2"]), try strip(["--frame-stride", "1"]))
        #expect(byDefault == everySecond && byDefault != everyFrame)
    }
}
