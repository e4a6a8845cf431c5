import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import motionrnn
import Testing

/// The training command's flags as a user meets them: bad values are refused with a message
/// naming the flag, `--resume` refuses what it cannot change, `--time-budget` stops a run at a
/// checkpoint that `--resume` continues.
@Suite(.serialized) struct TrainingFlagsTests {
    /// A tiny run on generated radar echoes, fast in a debug build.
    static let tiny = ["--preset", "radar-cpu", "--hidden", "4,4", "--patch-size", "8",
                       "--input-length", "2", "--output-length", "2", "--batch-size", "2", "--train-count", "8",
                       "--test-count", "2", "--validation-count", "2", "--examples", "1",
                       "--validation-interval", "1", "--checkpoint-interval", "1"]

    /// The model card `export --card` writes for the run at `output` (into `folder/run.md`).
    static func exportedCard(of output: String, in folder: URL) throws -> String {
        let export = try CommandLineRun(["export", output, "--output", folder.appendingPathComponent("run.safetensors").path,
                                         "--card", "--test-count", "2", "--reproduce", "(none)"])
        try #require(export.status == 0, "\(export.error)")
        return try String(contentsOf: folder.appendingPathComponent("run.md"), encoding: .utf8)
    }

    @Test func timeBudgetMustBeADuration() throws {
        let run = try CommandLineRun(["train", "--time-budget", "soon", "--output", "/nonexistent/x"])
        run.expectRefusal(mentioning: ["--time-budget", "soon"])
    }

    @Test func timeBudgetReadsTheDurationsProgressLinesPrint() throws {
        #expect(try TrainCommand.seconds(parsing: "90m") == 5400)
        #expect(try TrainCommand.seconds(parsing: "3600") == 3600)
        #expect(try TrainCommand.seconds(parsing: "2h30m") == 9000)
        #expect(try TrainCommand.seconds(parsing: "3h 20m") == 12_000)
        #expect(try TrainCommand.seconds(parsing: "12m 05s") == 725)
        #expect(try TrainCommand.seconds(parsing: "0.5h") == 1800)
        for bad in ["", "0", "-5m", "2h2h", "h", "5x", "2h30", "inf", "nan", "0m0s"] {
            #expect(throws: (any Error).self, "\(bad)") { try TrainCommand.seconds(parsing: bad) }
        }
    }

    @Test func modelNamesAreCheckedByTheParser() throws {
        let run = try CommandLineRun(["train", "--model", "predrnn-motionrnn", "--output", "/nonexistent/x"])
        run.expectRefusal(mentioning: ["--model", "predrnn-motionrnn", "motionrnn-predrnn"])
        // Names are case-insensitive: this one gets past the parser to the next bad flag.
        let mixedCase = try CommandLineRun(["train", "--model", "MotionRNN-ConvLSTM", "--channels", "2", "--output", "/nonexistent/x"])
        mixedCase.expectRefusal(mentioning: ["--channels"])
        #expect(!mixedCase.error.contains("--model"))
    }

    /// The baselines' own hyper-parameters are flags, recorded in the run; given for another
    /// backbone they are refused.
    @Test func baselineFlagsReachTheModel() throws {
        let refused = try CommandLineRun(["train", "--model", "predrnn", "--tt-ranks", "2", "--output", "/nonexistent/x"])
        refused.expectRefusal(mentioning: ["--tt-ranks", "Conv-TT-LSTM"])
        let badSteps = try CommandLineRun(["train", "--model", "convttlstm", "--tt-order", "3", "--tt-steps", "2", "--output", "/nonexistent/x"])
        badSteps.expectRefusal(mentioning: ["--tt-steps", "order"])
        let badLinks = try CommandLineRun(["train", "--model", "trajgru", "--links", "4,x", "--output", "/nonexistent/x"])
        badLinks.expectRefusal(mentioning: ["--links", "4,x"])

        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (model, flags) in [("motionrnn-trajgru", ["--links", "2,3", "--flow-channels", "4"]),
                               ("convttlstm", ["--tt-order", "2", "--tt-steps", "3", "--tt-ranks", "2"])] {
            let output = folder.appendingPathComponent(model).path
            let run = try CommandLineRun(["train", "--model", model] + Self.tiny + flags + ["--iterations", "1", "--output", output])
            #expect(run.status == 0, "\(run.error)")
            let saved = try String(contentsOfFile: output + "/experiment.json", encoding: .utf8)
            #expect(saved.contains(model == "convttlstm" ? "\"ranks\"" : "\"flowChannels\""), "\(saved)")
        }
    }

    @Test func motionBoundReachesTheModelAndStaysAsTrained() throws {
        try CommandLineRun(["train", "--motion-bound", "0", "--output", "/nonexistent/x"])
            .expectRefusal(mentioning: ["--motion-bound", "positive"])
        try CommandLineRun(["train", "--model", "predrnn", "--motion-bound", "2", "--output", "/nonexistent/x"])
            .expectRefusal(mentioning: ["--motion-bound", "no MotionGRU"])
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run").path
        let run = try CommandLineRun(["train", "--model", "motionrnn-predrnn", "--motion-bound", "2"] + Self.tiny
                                     + ["--iterations", "1", "--output", output])
        #expect(run.status == 0, "\(run.error)")
        let saved = try String(contentsOfFile: output + "/experiment.json", encoding: .utf8)
        #expect(saved.contains("\"bound\" : 2"), "\(saved)")
        try CommandLineRun(["train", "--output", output, "--resume", "--motion-bound", "3"])
            .expectRefusal(mentioning: ["--motion-bound", "cannot change on resume"])
    }

    /// `--reverse-sampling START,END[,DECAY]` reaches the run, stays as trained, and shows on
    /// the model card.
    @Test func reverseSamplingReachesTheRunAndItsCard() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run").path
        let run = try CommandLineRun(["train"] + Self.tiny + ["--reverse-sampling", "1,3", "--iterations", "2", "--output", output])
        try #require(run.status == 0, "\(run.error)")
        let saved = try String(contentsOfFile: output + "/experiment.json", encoding: .utf8)
        #expect(saved.contains("\"reverseSampling\""), "\(saved)")
        #expect(saved.contains("\"decayLength\" : 0.4"), "\(saved)")   // (END − START)/5
        try CommandLineRun(["train", "--output", output, "--resume", "--reverse-sampling", "1,4"])
            .expectRefusal(mentioning: ["--reverse-sampling", "cannot change on resume"])
        let text = try Self.exportedCard(of: output, in: folder)
        #expect(text.contains("reverse scheduled sampling (PredRNN-v2): between iterations 1 and 3"), "\(text)")
    }

    /// `--model predrnnv2` trains PredRNN-v2 with `--decouple-beta`, recorded in the run and on
    /// its card; β cannot change on resume.
    @Test func predRNNv2TrainsWithItsDecouplingWeight() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run").path
        let run = try CommandLineRun(["train", "--model", "predrnnv2", "--decouple-beta", "0.25"] + Self.tiny
                                     + ["--iterations", "2", "--output", output])
        try #require(run.status == 0, "\(run.error)")
        let saved = try String(contentsOfFile: output + "/experiment.json", encoding: .utf8)
        #expect(saved.contains("\"decouplingWeight\" : 0.25") && saved.contains("\"predrnnv2\""), "\(saved)")
        try CommandLineRun(["train", "--output", output, "--resume", "--decouple-beta", "0.5"])
            .expectRefusal(mentioning: ["--decouple-beta", "cannot change on resume"])
        let text = try Self.exportedCard(of: output, in: folder)
        #expect(text.contains("plus 0.25 × PredRNN-v2's decoupling loss"), "\(text)")
    }

    @Test func resumeRefusesFlagsThatChangeTheRunAndRecordsThoseItApplies() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run").path
        let first = try CommandLineRun(["train"] + Self.tiny + ["--iterations", "2", "--output", output])
        #expect(first.status == 0, "\(first.error)")

        let refused = try CommandLineRun(["train", "--output", output, "--resume", "--hidden", "8,8", "--loss", "mse"])
        refused.expectRefusal(mentioning: ["--hidden", "--loss", "cannot change on resume"])

        let resumed = try CommandLineRun(["train", "--output", output, "--resume", "--iterations", "3"])
        #expect(resumed.status == 0, "\(resumed.error)")
        let saved = try String(contentsOfFile: output + "/experiment.json", encoding: .utf8)
        #expect(saved.contains("resumed with --iterations 2 → 3"))
        #expect(FileManager.default.fileExists(atPath: output + "/checkpoints/checkpoint-3.json"))

        // A cool-down: the constant rate turns into a cosine decay from where the run stands.
        try CommandLineRun(["train", "--output", output, "--resume", "--decay", "cosine", "--decay-start", "5",
                            "--iterations", "5"]).expectRefusal(mentioning: ["--decay-start", "0..<5"])
        let cooled = try CommandLineRun(["train", "--output", output, "--resume", "--decay", "cosine",
                                         "--decay-start", "3", "--iterations", "5"])
        #expect(cooled.status == 0, "\(cooled.error)")
        let replanned = try String(contentsOfFile: output + "/experiment.json", encoding: .utf8)
        #expect(replanned.contains("resumed with --iterations 3 → 5, --decay constant → cosine, --decay-start after the warm-up → 3"), "\(replanned)")
    }

    @Test func branchFromStartsANewRunAtACheckpointAndLeavesTheSourceAsItIs() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source").path, branch = folder.appendingPathComponent("branch").path
        let first = try CommandLineRun(["train"] + Self.tiny + ["--iterations", "2", "--output", source])
        #expect(first.status == 0, "\(first.error)")

        try CommandLineRun(["train", "--branch-from", source, "--resume", "--output", branch])
            .expectRefusal(mentioning: ["--branch-from", "--resume"])
        try CommandLineRun(["train", "--branch-from", source]).expectRefusal(mentioning: ["--branch-from", "--output"])
        try CommandLineRun(["train", "--branch-from", source, "--output", branch, "--hidden", "8,8"])
            .expectRefusal(mentioning: ["--hidden", "cannot change"])
        #expect(!FileManager.default.fileExists(atPath: branch))

        // A branch may bound the motion filter (no parameters of its own); the branch's
        // checkpoint copy records it, so the branch trains on with it.
        let branched = try CommandLineRun(["train", "--branch-from", source + "/checkpoints/checkpoint-1.json",
                                           "--output", branch, "--iterations", "3", "--motion-bound", "1.5"])
        #expect(branched.status == 0 && branched.output.contains("trained 3 iterations"), "\(branched.error)")
        let saved = try String(contentsOfFile: branch + "/experiment.json", encoding: .utf8)
        #expect(saved.contains("branched from") && saved.contains("(iteration 1)")
                && saved.contains("branched with --iterations 2 → 3, --motion-bound none → ±1.5 cells") && saved.contains("\"bound\" : 1.5"), "\(saved)")
        #expect(!(try String(contentsOfFile: source + "/experiment.json", encoding: .utf8)).contains("bound"))
        #expect(try newestCheckpoint(in: source) == 2 && !FileManager.default.fileExists(atPath: source + "/checkpoints/checkpoint-3.json"))
    }

    @Test func timeBudgetStopsAtACheckpointAndResumeFinishes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run").path
        let stopped = try CommandLineRun(["train"] + Self.tiny + ["--iterations", "3", "--time-budget", "0.001s",
                                                                 "--output", output])
        #expect(stopped.status == 0 && stopped.output.contains("--resume"), "\(stopped.error)")
        #expect(!FileManager.default.fileExists(atPath: output + "/metrics.json"))
        let finished = try CommandLineRun(["train", "--output", output, "--resume"])
        #expect(finished.status == 0 && finished.output.contains("trained 3 iterations"), "\(finished.error)")
        #expect(FileManager.default.fileExists(atPath: output + "/report/index.html"))
    }

    /// Ctrl-C (SIGINT) during training: the iteration under way ends, a checkpoint is written
    /// (off the checkpoint schedule), the exit status is the shell's 130, and `--resume` continues.
    @Test func interruptStopsAtACheckpointThatResumes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run").path
        let training = try RunningCommand(["train"] + Self.tiny + ["--iterations", "100000", "--checkpoint-interval", "100000",
                                                                  "--validation-interval", "100000", "--output", output])
        // The first line on standard error comes after the handler is in place.
        try #require(training.wait(seconds: 120) { training.errorSoFar.contains("training ") } && training.process.isRunning,
                     "the training ended before the signal: \(training.errorSoFar)")
        kill(training.process.processIdentifier, SIGINT)
        try #require(training.wait(seconds: 120) { !training.process.isRunning }, "still training 2 minutes after SIGINT")
        let stopped = try training.finish()
        #expect(!stopped.signalled && stopped.status == 130, "status \(stopped.status): \(stopped.error)")
        #expect(stopped.output.contains("stopped on signal 2 (SIGINT)") && stopped.output.contains("--resume"), "\(stopped.output)")
        let newest = try #require(try newestCheckpoint(in: output), "no checkpoint in \(output)")
        #expect(newest >= 1 && stopped.output.contains("after \(newest) iterations"), "\(stopped.output)")
        let resumed = try CommandLineRun(["train", "--output", output, "--resume", "--iterations", "\(newest + 1)"])
        #expect(resumed.status == 0 && resumed.output.contains("trained \(newest + 1) iterations"), "\(resumed.error)")
    }

    /// The thread count does not change what is computed: a run on one thread and one on two
    /// write the same checkpoint, byte for byte (so a long run may be resumed on more or fewer
    /// cores, as scripts/training-helpers.sh does). Big enough for the gate kernels to split
    /// (4 × 16 rows of 16 × 16 values: two tasks of the 32 rows each needs at least).
    @Test func theThreadCountDoesNotChangeTheResult() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let flags = ["--model", "motionrnn-predrnn", "--preset", "vmnist-cpu", "--hidden", "16,16", "--batch-size", "4",
                     "--input-length", "2", "--output-length", "2", "--iterations", "2", "--train-count", "16", "--test-count", "2", "--validation-count", "2",
                     "--validation-interval", "0", "--checkpoint-interval", "2", "--examples", "0"]
        var checkpoints: [Data] = []
        for threads in ["1", "2"] {
            let output = folder.appendingPathComponent("threads-\(threads)").path
            let run = try CommandLineRun(["train"] + flags + ["--output", output], environment: ["MOTIONRNN_THREADS": threads])
            #expect(run.status == 0, "\(run.error)")
            checkpoints.append(try Data(contentsOf: URL(fileURLWithPath: output + "/checkpoints/checkpoint-2.safetensors")))
        }
        #expect(checkpoints[0] == checkpoints[1])
    }

    /// `train --init-from FILE` records the runs before it when it starts, so the card of its
    /// export sums them even when FILE is gone by then.
    @Test func fineTuningRecordsTheRunsBeforeItWhenItStarts() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (first, start, tuned) = (folder.appendingPathComponent("first").path,
                                     folder.appendingPathComponent("start.safetensors").path,
                                     folder.appendingPathComponent("tuned").path)
        for command in [["train"] + Self.tiny + ["--iterations", "2", "--output", first],
                        ["export", first, "--output", start],
                        ["train"] + Self.tiny + ["--init-from", start, "--iterations", "1", "--output", tuned]] {
            let run = try CommandLineRun(command)
            try #require(run.status == 0, "\(command): \(run.error)")
        }
        try FileManager.default.removeItem(atPath: start)
        let card = folder.appendingPathComponent("tuned.md")
        let export = try CommandLineRun(["export", tuned, "--output", folder.appendingPathComponent("tuned.safetensors").path,
                                         "--card", "--test-count", "2", "--reproduce", "(none)"])
        try #require(export.status == 0, "\(export.error)")
        let text = try String(contentsOf: card, encoding: .utf8)
        #expect(text.contains("| 1 | a random initialisation | 2 |"), "\(text)")
        #expect(text.contains("| 2 (this file) | `\(start)` | 1 |"))
        #expect(text.contains("| all | | 3 |"))
    }

    /// `train --init-from MODEL --filter-size K` grows MODEL's kernels to K (recorded in the run);
    /// a smaller or even K is refused.
    @Test func fineTuningCanGrowTheFilter() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (first, grown) = (folder.appendingPathComponent("first").path, folder.appendingPathComponent("grown").path)
        let trained = try CommandLineRun(["train"] + Self.tiny + ["--filter-size", "3", "--iterations", "1", "--output", first])
        try #require(trained.status == 0, "\(trained.error)")
        for bad in ["1", "4"] {
            try CommandLineRun(["train"] + Self.tiny + ["--init-from", first, "--filter-size", bad, "--output", grown])
                .expectRefusal(mentioning: ["--filter-size \(bad)", "filter 3", "larger odd"])
        }
        let run = try CommandLineRun(["train"] + Self.tiny + ["--init-from", first, "--filter-size", "5",
                                                              "--iterations", "1", "--output", grown])
        try #require(run.status == 0, "\(run.error)")
        let saved = try String(contentsOfFile: grown + "/experiment.json", encoding: .utf8)
        #expect(saved.contains("3×3 kernels zero-padded to 5×5"), "\(saved)")
        #expect(saved.contains("\"filterSize\" : 5"), "\(saved)")
        // The baselines' own kernels grow the same way, and say so.
        let trajgru = try CommandLineRun(["train"] + Self.tiny + ["--model", "trajgru", "--links", "2", "--flow-channels", "4",
                                                                  "--iterations", "1", "--output", folder.appendingPathComponent("trajgru").path])
        try #require(trajgru.status == 0, "\(trajgru.error)")
        let start = ["train"] + Self.tiny + ["--init-from", folder.appendingPathComponent("trajgru").path]
        try CommandLineRun(start + ["--flow-kernel", "3", "--output", grown + "-bad"])
            .expectRefusal(mentioning: ["--flow-kernel 3", "flow kernel 5", "larger odd"])
        let flow = try CommandLineRun(start + ["--flow-kernel", "7", "--iterations", "1", "--output", grown + "-flow"])
        try #require(flow.status == 0, "\(flow.error)")
        let flowSaved = try String(contentsOfFile: grown + "-flow/experiment.json", encoding: .utf8)
        #expect(flowSaved.contains("5×5 flow kernels zero-padded to 7×7 (--flow-kernel 7)"), "\(flowSaved)")
    }

    @Test func fineTuningCanWidenTheLayers() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        let trained = try CommandLineRun(["train"] + Self.tiny + ["--iterations", "1", "--output", path("first")])
        try #require(trained.status == 0, "\(trained.error)")
        let wider = { (hidden: String) in Self.tiny.map { $0 == "4,4" ? hidden : $0 } + ["--init-from", path("first")] }
        for (hidden, words) in [("4,8", ["one larger width"]), ("8,8,8", ["one larger width"]), ("2,2", ["can only grow"])] {
            try CommandLineRun(["train"] + wider(hidden) + ["--output", path("bad")])
                .expectRefusal(mentioning: ["--hidden \(hidden)", "layers [4, 4]"] + words)
        }
        try CommandLineRun(["train"] + wider("8,8") + ["--filter-size", "5", "--output", path("bad")])
            .expectRefusal(mentioning: ["--hidden 8,8", "one thing at a time"])
        let run = try CommandLineRun(["train"] + wider("8,8") + ["--iterations", "1", "--output", path("wider")])
        try #require(run.status == 0, "\(run.error)")
        let saved = try String(contentsOfFile: path("wider") + "/experiment.json", encoding: .utf8)
        #expect(saved.contains("4 channels per layer grown to 8"), "\(saved)")
        // A backbone without channel layouts says so.
        let mim = try CommandLineRun(["train"] + Self.tiny + ["--model", "mim", "--iterations", "1", "--output", path("mim")])
        try #require(mim.status == 0, "\(mim.error)")
        try CommandLineRun(["train"] + Self.tiny.map { $0 == "4,4" ? "8,8" : $0 } + ["--init-from", path("mim"), "--output", path("bad")])
            .expectRefusal(mentioning: ["--hidden 8,8", "predrnn, predrnnv2 and convlstm", "not mim"])
    }

    /// `train --init-from PREDRNN --model predrnnv2` makes a PredRNN model PredRNN-v2 (a fresh
    /// adapter, recorded in the history): at a learning rate of 10⁻¹² it scores what the PredRNN
    /// model scored; other changes of architecture stay refused.
    @Test func fineTuningCanMakePredRNNIntoPredRNNv2() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        let plain = Self.tiny + ["--model", "predrnn"]
        let trained = try CommandLineRun(["train"] + plain + ["--iterations", "1", "--output", path("first")])
        try #require(trained.status == 0, "\(trained.error)")
        let v2 = try CommandLineRun(["train"] + Self.tiny + ["--model", "predrnnv2", "--init-from", path("first"),
                                    "--iterations", "1", "--learning-rate", "1e-12", "--output", path("v2")])
        try #require(v2.status == 0, "\(v2.error)")
        let saved = try String(contentsOfFile: path("v2") + "/experiment.json", encoding: .utf8)
        #expect(saved.contains("started as PredRNN-v2 from the --init-from PredRNN model"), "\(saved)")
        func meanMSE(_ run: String) throws -> Double {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path(run) + "/metrics.json")))
            return try #require(((json as? [String: Any])?["mse"] as? [String: Any])?["mean"] as? Double)
        }
        let (before, after) = (try meanMSE("first"), try meanMSE("v2"))
        #expect(abs(after - before) <= 1e-5 * before, "PredRNN \(before), as PredRNN-v2 \(after)")
        // Becoming PredRNN-v2 while growing (wider, or a larger filter): the adapter is drawn
        // after the growth, and the model still predicts what it did.
        for (index, growth) in [["--hidden", "6,6"], ["--filter-size", "7"]].enumerated() {
            let grown = try CommandLineRun(["train"] + Self.tiny + ["--model", "predrnnv2", "--init-from", path("first"),
                                           "--iterations", "1", "--learning-rate", "1e-12", "--output", path("grown\(index)")]
                                           + growth)
            try #require(grown.status == 0, "\(growth): \(grown.error)")
            let grownMSE = try meanMSE("grown\(index)")
            #expect(abs(grownMSE - before) <= 1e-5 * before, "PredRNN \(before), grown (\(growth)) as PredRNN-v2 \(grownMSE)")
        }
        try CommandLineRun(["train"] + Self.tiny + ["--model", "motionrnn-predrnnv2", "--init-from", path("first"), "--output", path("bad")])
            .expectRefusal(mentioning: ["--model motionrnn-predrnnv2", "architecture (predrnn)"])
    }

    /// A second process training into a folder that one is already training in stops at once,
    /// naming the holder; once the holder is gone the folder is free again (no stale lock).
    @Test func aRunFolderInUseIsRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        // This test process plays the training already under way: it holds the folder's lock.
        let holder = open(output.appendingPathComponent(".lock").path, O_RDWR | O_CREAT, 0o644)
        try #require(holder >= 0 && flock(holder, LOCK_EX | LOCK_NB) == 0)
        _ = Array("4242\n".utf8).withUnsafeBytes { pwrite(holder, $0.baseAddress, $0.count, 0) }
        let second = try CommandLineRun(["train"] + Self.tiny + ["--iterations", "1", "--output", output.path])
        second.expectRefusal(mentioning: [output.path, "in use by another training process", "process 4242"])
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("experiment.json").path))
        close(holder)
        let free = try CommandLineRun(["train"] + Self.tiny + ["--iterations", "1", "--output", output.path])
        #expect(free.status == 0, "\(free.error)")
    }

    @Test func stopAtStopsThereAndSaysHowToContinue() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("run").path
        try CommandLineRun(["train"] + Self.tiny + ["--iterations", "3", "--stop-at", "0", "--output", output])
            .expectRefusal(mentioning: ["--stop-at 0"])
        let stopped = try CommandLineRun(["train"] + Self.tiny + ["--iterations", "3", "--stop-at", "2", "--output", output])
        #expect(stopped.status == 0 && stopped.output.contains("stopped as asked"), "\(stopped.error)")
        #expect(FileManager.default.fileExists(atPath: output + "/checkpoints/checkpoint-2.json"))
        #expect(!FileManager.default.fileExists(atPath: output + "/metrics.json"))
    }

    @Test func pretrainedModelsAreFoundByNameOrSaySoClearly() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let unknown = try CommandLineRun(["test", "--pretrained", "no-such-model"], in: folder,
                                         environment: ["MOTIONRNN_MODELS": folder.path])
        unknown.expectRefusal(mentioning: ["no-such-model"])
        let both = try CommandLineRun(["predict", "run", "--pretrained", "x", "frames"])
        both.expectRefusal(mentioning: ["--pretrained"])
    }
}
