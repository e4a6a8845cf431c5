import Foundation
import Testing

/// Malformed files and hostile flags, as a user might give them: every one ends in a clean
/// refusal (exit status 1–127, no signal) whose message names the file or flag, and a refused
/// training run leaves nothing a later `--resume` or `test` could take for a run. The corpus is
/// generated here, so it needs nothing outside the repository.
@Suite(.serialized) struct HostileInputTests {
    /// The cheapest valid training setup; each case breaks one thing.
    static let tiny = TrainingFlagsTests.tiny + ["--iterations", "1"]

    func expectNoRun(at output: URL, sourceLocation: SourceLocation = #_sourceLocation) {
        for leftover in ["experiment.json", "checkpoints", "metrics.json", "report"] {
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(leftover).path),
                    "a refused run left \(leftover)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        (["--channels", "2"], ["--channels", "1 (grey) or 3 (RGB)"]),
        (["--frame-stride", "0"], ["--frame-stride"]),
        (["--hidden", "abc"], ["--hidden", "abc"]),
        (["--hidden", "0,8"], ["--hidden"]),
        (["--patch-size", "0"], ["--patch-size"]),
        (["--image-size", "0"], ["--image-size"]),
        (["--iterations", "0"], ["--iterations"]),
        (["--batch-size", "0"], ["--batch-size"]),
        (["--filter-size", "4"], ["--filter-size"]),
        (["--train-count=-5"], ["--train-count"]),
        (["--test-count", "0"], ["--test-count"]),
        (["--crop-fraction", "1.5"], ["--crop-fraction"]),
        (["--learning-rate", "nan"], ["--learning-rate"]),
        (["--loss", "mse+gdl", "--gdl-weight", "0"], ["--gdl-weight"]),
        (["--loss", "mse", "--gdl-weight", "1"], ["--gdl-weight", "mse+gdl"]),
        (["--reverse-sampling", "5"], ["--reverse-sampling", "START,END"]),
        (["--reverse-sampling", "5,x"], ["--reverse-sampling", "5,x"]),
        (["--reverse-sampling", "5,3"], ["--reverse-sampling", "after the start"]),
        (["--reverse-sampling", "1,3,0"], ["--reverse-sampling", "positive"]),
        (["--reverse-sampling", "1,3", "--sampling-stop", "2"], ["--reverse-sampling", "--sampling-stop"]),
        (["--model", "predrnn", "--decouple-beta", "0.2"], ["--decouple-beta", "PredRNN-v2"]),
        (["--model", "predrnnv2", "--decouple-beta=-1"], ["--decouple-beta", "non-negative"]),
        (["--model", "predrnn", "--recall", "positions"], ["--recall", "no recall"]),
        (["--model", "e3dlstm", "--recall", "rows"], ["--recall", "rows"]),
        (["--preset", "nope"], ["--preset", "nope"]),
        (["--model", "nope"], ["--model", "nope"]),
        (["--loss", "huber"], ["--loss", "huber"]),
        (["--decay", "linear"], ["--decay", "linear"]),
        (["--final-learning-rate", "2"], ["--final-learning-rate"]),
        (["--init-from", "/nonexistent/model.safetensors"], ["/nonexistent/model.safetensors"]),
        (["--model", "predrnn", "--image-size", "4", "--patch-size", "2"], ["--image-size", "SSIM"]),
    ])
    func hostileTrainingFlags(flags: [String], phrases: [String]) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run")
        let run = try CommandLineRun(["train"] + Self.tiny + flags + ["--output", output.path])
        run.expectRefusal(mentioning: phrases)
        expectNoRun(at: output)
    }

    /// Files that are not what their names say.
    @Test func malformedDataFilesAreNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let garbage = Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        var cases: [(String, Data)] = [
            ("bad.npy", garbage), ("short.npy", Data("\u{93}NUMPY".utf8)), ("bad.npz", garbage),
            ("empty.npz", Data()),
        ]
        // A zip whose only member claims to be an .npy but is cut short.
        cases.append(("cut.npz", Data([0x50, 0x4B, 0x03, 0x04]) + garbage.prefix(40)))
        for (name, bytes) in cases {
            let file = folder.appendingPathComponent(name)
            try bytes.write(to: file)
            let output = folder.appendingPathComponent("run-\(name)")
            let run = try CommandLineRun(["train"] + Self.tiny + ["--data", file.path, "--output", output.path])
            run.expectRefusal(mentioning: [name])
            expectNoRun(at: output)
        }
    }

    @Test func brokenFrameFoldersAreNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let broken = folder.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("\u{89}PNG\r\n\u{1A}\nnot really".utf8).write(to: broken.appendingPathComponent("f1.png"))
        for (data, phrase) in [(empty, "empty"), (broken, "f1.png"), (folder.appendingPathComponent("missing"), "missing")] {
            let output = folder.appendingPathComponent("run-\(data.lastPathComponent)")
            let run = try CommandLineRun(["train"] + Self.tiny + ["--data", data.path, "--output", output.path])
            run.expectRefusal(mentioning: [phrase])
            expectNoRun(at: output)
        }
        let predict = try CommandLineRun(["predict", "--pretrained", "x", broken.path],
                                         environment: ["MOTIONRNN_MODELS": folder.path])
        predict.expectRefusal(mentioning: ["'x'"])
        // Frame positions are checked before anything is read (both trapped).
        try CommandLineRun(["predict", "run", broken.path, "--frame-stride", "0"]).expectRefusal(mentioning: ["--frame-stride"])
        try CommandLineRun(["predict", "run", broken.path, "--start=-3"]).expectRefusal(mentioning: ["--start"])
    }

    /// A digit file with a label that is not a digit used to trap when V-MNIST drew two
    /// different classes.
    @Test func digitFileWithABadLabelIsNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pixels = Array(repeating: "0", count: 784).joined(separator: ",")
        let csv = folder.appendingPathComponent("digits.csv")
        try Data((pixels + ",3\n" + pixels + ",11\n").utf8).write(to: csv)
        let output = folder.appendingPathComponent("run")
        let run = try CommandLineRun(["train", "--preset", "vmnist-cpu", "--hidden", "4,4", "--iterations", "1",
                                      "--output", output.path], environment: ["MOTIONRNN_DIGITS": csv.path])
        run.expectRefusal(mentioning: ["digits.csv", "label 11"])
        expectNoRun(at: output)
    }

    @Test func corruptModelFilesAreNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bogus = folder.appendingPathComponent("bogus.safetensors")
        // A header length far beyond the file: must be refused without allocating it.
        var bytes = Data()
        withUnsafeBytes(of: UInt64(10_000_000_000).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(Data("{}".utf8))
        try bytes.write(to: bogus)
        for command in [["test", "--pretrained", bogus.path], ["verify-reference", bogus.path],
                        ["compare", bogus.path], ["curve", bogus.path],
                        ["import", bogus.path, "--output", folder.appendingPathComponent("m.safetensors").path]] {
            try CommandLineRun(command).expectRefusal(mentioning: ["bogus.safetensors"])
        }
    }

    /// A run folder that is not there, or a model file where only a run folder goes (export):
    /// said as such, not "make a run here with `train`". Where a pretrained model goes as well,
    /// a file is read as one, and a broken one is named.
    @Test func missingOrMisplacedRunFoldersAreNamed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("no-such-run").path
        let file = folder.appendingPathComponent("model.safetensors")
        try Data("not a model".utf8).write(to: file)
        for command in [["test", missing], ["info", missing], ["export", missing, "--output", file.path]] {
            try CommandLineRun(command).expectRefusal(mentioning: ["\(missing): no such run folder"])
        }
        // Where a shipped model would do as well, the refusal lists them (a misspelt name).
        try CommandLineRun(["test", missing]).expectRefusal(mentioning: ["nor a shipped model", "vmnist-motionrnn-predrnn"])
        try CommandLineRun(["export", file.path, "--output", folder.appendingPathComponent("out.safetensors").path])
            .expectRefusal(mentioning: ["\(file.path) is a file, not a run folder", "the run folder it was exported from"])
        for command in [["test", file.path], ["info", file.path], ["predict", file.path, "clip.avi"]] {
            try CommandLineRun(command).expectRefusal(mentioning: ["safetensors file \(file.path)"])
        }
    }

    @Test func corruptCheckpointsAreNamedOnResume() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run")
        let first = try CommandLineRun(["train"] + Self.tiny + ["--output", output.path])
        #expect(first.status == 0, "\(first.error)")
        let state = output.appendingPathComponent("checkpoints/checkpoint-1.json")
        try Data("{\"formatVersion\": 1, \"iteration\": ".utf8).write(to: state)
        for command in [["train", "--output", output.path, "--resume", "--iterations", "2"], ["test", output.path]] {
            try CommandLineRun(command).expectRefusal(mentioning: ["checkpoint-1.json"])
        }
    }
}
