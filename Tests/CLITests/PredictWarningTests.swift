import Foundation
import Imaging
import Testing
import TestSupport

/// `predict` tells the user when the input looks nothing like the training data: colour fed
/// to a grey model, frames far larger than the model's, intensities unlike the training frames'.
@Suite(.serialized) struct PredictWarningTests {
    func frames(in folder: URL, count: Int, size: Int, channels: Int, fill: RGB) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for t in 0..<count {
            var image = Image(width: size, height: size, channels: channels, fill: fill)
            image.fillRect(x: t, y: t, width: 4, height: 4, color: .white)
            try PNG.write(image, to: folder.appendingPathComponent("f\(t).png"))
        }
        return folder
    }

    @Test func unlikeInputIsWarnedAboutAndSimilarInputIsNot() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run").path
        let trained = try CommandLineRun(["train"] + TrainingFlagsTests.tiny + ["--iterations", "1", "--output", run])
        #expect(trained.status == 0, "\(trained.error)")

        // Radar echoes are mostly dark: a dark grey clip of the model's size passes quietly.
        let dark = try frames(in: folder.appendingPathComponent("dark"), count: 4, size: 64, channels: 1, fill: .black)
        let quiet = try CommandLineRun(["predict", run, dark.path, "--output", folder.appendingPathComponent("p1").path])
        #expect(quiet.status == 0 && !quiet.error.contains("warning"), "\(quiet.error)")

        // A large, bright, coloured clip: three warnings.
        let bright = try frames(in: folder.appendingPathComponent("bright"), count: 4, size: 400, channels: 3,
                                fill: RGB(200, 120, 60))
        let warned = try CommandLineRun(["predict", run, bright.path, "--output", folder.appendingPathComponent("p2").path])
        #expect(warned.status == 0, "\(warned.error)")
        for phrase in ["in colour", "400×400", "mean intensity"] {
            #expect(warned.error.contains(phrase), "no warning about '\(phrase)': \(warned.error)")
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("p2/strip.png").path))
    }
}

/// From any folder, the tool finds the models shipped beside its build by name.
@Suite(.serialized) struct ShippedModelCommandTests {
    /// Ten frames of a bar moving right, V-MNIST-like (64×64 grey, white on black).
    func movingBar(in folder: URL) throws -> URL {
        let frames = folder.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        for t in 0..<10 {
            var image = Image(width: 64, height: 64, channels: 1, fill: .black)
            image.fillRect(x: 10 + 3 * t, y: 20, width: 8, height: 12, color: .white)
            try PNG.write(image, to: frames.appendingPathComponent("f\(t).png"))
        }
        return frames
    }

    @Test func shippedModelsAreFoundByNameFromAnyFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let frames = try movingBar(in: folder)
        let run = try CommandLineRun(["predict", "--pretrained", "vmnist-motionrnn-predrnn", frames.path], in: folder,
                                     environment: ["MOTIONRNN_MODELS": ""])
        #expect(run.status == 0, "\(run.error)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("predictions-vmnist-motionrnn-predrnn/predicted-10.png").path))
        #expect(!run.error.contains("warning"), "a V-MNIST-like input should not be warned about: \(run.error)")
    }

    /// A shipped model's name or a pretrained file goes where a run folder goes, as `compare`
    /// takes them: the same model as with --pretrained, the output named after it.
    @Test func aPretrainedModelGoesWhereARunFolderGoes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let frames = try movingBar(in: folder)
        let predicted = try CommandLineRun(["predict", "vmnist-predrnn", frames.path], in: folder, environment: ["MOTIONRNN_MODELS": ""])
        #expect(predicted.status == 0, "\(predicted.error)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("predictions-vmnist-predrnn/predicted-10.png").path))

        let byOption = try CommandLineRun(["info", "--pretrained", "vmnist-predrnn"], in: folder)
        #expect(byOption.status == 0, "\(byOption.error)")
        let file = InfoCommandTests.models.appendingPathComponent("vmnist-predrnn.safetensors").path
        for given in ["vmnist-predrnn", file] {
            let info = try CommandLineRun(["info", given], in: folder)
            #expect(info.status == 0 && info.output == byOption.output, "\(given): \(info.output) \(info.error)")
        }
        try CommandLineRun(["test", "vmnist-predrnn", "--checkpoint", "checkpoint-1.json"], in: folder)
            .expectRefusal(mentioning: ["--checkpoint applies to a run folder, not to a pretrained model"])
    }

    /// `MOTIONRNN_DIGITS` naming an IDX image file (labels beside it) builds V-MNIST from those
    /// digits, and the output says which digits were used.
    @Test func shippedModelIsScoredOnDigitsFromAnIDXFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let images = try writeBarDigits(in: folder)
        let run = try CommandLineRun(["compare", "vmnist-predrnn", "--test-count", "2", "--examples", "1",
                                      "--output", folder.appendingPathComponent("scores").path],
                                     in: folder, environment: ["MOTIONRNN_MODELS": "", "MOTIONRNN_DIGITS": images.path])
        #expect(run.status == 0, "\(run.error)")
        #expect((run.output + run.error).contains("generated from the digits in \(images.path)"), "\(run.error)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("scores/metrics.json").path))
        // The first sequence, then (by default) the model's best and worst of the two.
        let report = folder.appendingPathComponent("scores/report")
        #expect(["sequence1.png", "sequence2.png", "sequence3.png"].allSatisfy {
            FileManager.default.fileExists(atPath: report.appendingPathComponent($0).path)
        })
        let firstOnly = try CommandLineRun(["compare", "vmnist-predrnn", "--test-count", "2", "--examples", "1",
                                            "--no-spread-examples", "--output", folder.appendingPathComponent("first").path],
                                           in: folder, environment: ["MOTIONRNN_MODELS": "", "MOTIONRNN_DIGITS": images.path])
        #expect(firstOnly.status == 0, "\(firstOnly.error)")
        let firstReport = folder.appendingPathComponent("first/report")
        #expect(FileManager.default.fileExists(atPath: firstReport.appendingPathComponent("sequence1.png").path))
        #expect(!FileManager.default.fileExists(atPath: firstReport.appendingPathComponent("sequence2.png").path))
    }

    /// `--split validation` scores the validation sequences (for choices), not the test ones.
    @Test func validationSplitIsScoredOnRequest() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func scores(_ split: String) throws -> CommandLineRun {
            let run = try CommandLineRun(["compare", "vmnist-predrnn", "--split", split, "--test-count", "2", "--examples", "0",
                                          "--output", folder.appendingPathComponent(split).path],
                                         in: folder, environment: ["MOTIONRNN_MODELS": ""])
            #expect(run.status == 0, "\(run.error)")
            return run
        }
        let (validation, test) = (try scores("validation"), try scores("test"))
        #expect(validation.error.contains("(validation split)") && !test.error.contains("validation"), "\(validation.error)")
        let score = { (run: CommandLineRun) in run.output.split(separator: "\n").first { $0.hasPrefix("vmnist-predrnn:") } }
        #expect(score(validation) != nil && score(validation) != score(test), "\(validation.output)")
        try CommandLineRun(["compare", "vmnist-predrnn", "--split", "train"]).expectRefusal(mentioning: ["--split"])
    }
}
