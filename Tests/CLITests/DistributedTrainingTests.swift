import Engine
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `mpirun -np 2 motionrnn train --distributed`: two ranks sharing each global batch train like
/// one process on the whole batch, a 2-rank checkpoint continues on 1 rank, a rank that dies
/// stops the job with the last checkpoint intact, and Ctrl-C on mpirun stops at a checkpoint.
///
/// Tolerance: the ranks sum their halves of each gradient and the all-reduce adds the two, where
/// one process sums the whole batch in one pass, so float32 rounding differs (≈1e-7 relative per
/// gradient element); Adam divides by √v, which carries that into the parameters and moments.
/// Measured after 4 steps: 2.3e-6 of a tensor's largest value. Bound: the fixtures' 1e-4.
@Suite(.serialized, .requires(.mpirun)) struct DistributedTrainingTests {
    static let tolerance = 1e-4
    static let tiny = ["--preset", "radar-cpu", "--hidden", "4,4", "--patch-size", "8",
                       "--input-length", "2", "--output-length", "2", "--batch-size", "4", "--train-count", "16",
                       "--test-count", "8", "--validation-count", "8", "--examples", "1",
                       "--validation-interval", "2", "--checkpoint-interval", "2", "--keep-checkpoints", "5"]
    /// One thread per process, so that only the split differs between the runs compared.
    static let environment = ["MOTIONRNN_THREADS": "1"]

    static func mpirun(_ ranks: Int, _ arguments: [String]) throws -> CommandLineRun {
        try startMpirun(ranks, arguments).finish()
    }

    /// `mpirun -np ranks motionrnn arguments…`, running. env execs mpirun, so the process is
    /// mpirun and the ranks are its children.
    static func startMpirun(_ ranks: Int, _ arguments: [String]) throws -> RunningCommand {
        try RunningCommand(["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)",
                            CommandLineRun.executable.path] + arguments,
                           environment: environment, executable: URL(fileURLWithPath: "/usr/bin/env"))
    }

    /// Every tensor of two checkpoints (parameters and Adam's moments) within the tolerance.
    static func expectSameState(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (left, right) = (try SafetensorsFile.read(from: URL(fileURLWithPath: a)).tensors,
                             try SafetensorsFile.read(from: URL(fileURLWithPath: b)).tensors)
        #expect(Set(left.keys) == Set(right.keys), sourceLocation: sourceLocation)
        #expect(left.keys.contains { $0.hasPrefix("optimizer.") } || left.count > 10, sourceLocation: sourceLocation)
        for (name, tensor) in left {
            guard let other = right[name] else { continue }
            let error = other.relativeError(to: tensor)
            #expect(error <= tolerance, "\(name): \(error)", sourceLocation: sourceLocation)
        }
    }

    static func expectSameMetrics(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        func read(_ path: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        }
        let (left, right) = (try read(a), try read(b))
        #expect(left["sequenceCount"] as? Int == 8 && right["sequenceCount"] as? Int == 8, sourceLocation: sourceLocation)
        for metric in ["mse", "mae", "ssim", "psnr", "gdl"] {
            let x = (left[metric] as! [String: Any])["perFrame"] as! [Double]
            let y = (right[metric] as! [String: Any])["perFrame"] as! [Double]
            #expect(x.count == y.count && zip(x, y).allSatisfy { abs($0 - $1) <= 1e-3 * max(abs($0), 1e-3) },
                    "\(metric): \(x) vs \(y)", sourceLocation: sourceLocation)
        }
    }

    @Test func twoRanksTrainLikeOneProcessAndResumeOnOne() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (single, pair, resumed) = (folder.appendingPathComponent("single").path,
                                       folder.appendingPathComponent("pair").path,
                                       folder.appendingPathComponent("resumed").path)
        let one = try CommandLineRun(["train"] + Self.tiny + ["--iterations", "4", "--output", single],
                                     environment: Self.environment)
        #expect(one.status == 0, "\(one.error)")
        let two = try Self.mpirun(2, ["train", "--distributed"] + Self.tiny + ["--iterations", "4", "--output", pair])
        #expect(two.status == 0, "\(two.error)")
        #expect(two.error.contains("on 2 processes"))
        try Self.expectSameState(single + "/checkpoints/checkpoint-4.safetensors", pair + "/checkpoints/checkpoint-4.safetensors")
        // Evaluation is sharded too (one test batch per rank) and its sums reduced: the same
        // metrics over all 8 test sequences, up to the parameters' rounding differences.
        try Self.expectSameMetrics(single + "/metrics.json", pair + "/metrics.json")

        // The 2-rank run's checkpoint 2, continued by one process to 4, lands where the 2-rank
        // run did (the batch order is global, so the ranks' count may change on resume).
        try FileManager.default.copyItem(atPath: pair, toPath: resumed)
        for file in ["checkpoint-4.json", "checkpoint-4.safetensors"] {
            try FileManager.default.removeItem(atPath: resumed + "/checkpoints/" + file)
        }
        let continued = try CommandLineRun(["train", "--output", resumed, "--resume"], environment: Self.environment)
        #expect(continued.status == 0, "\(continued.error)")
        try Self.expectSameState(pair + "/checkpoints/checkpoint-4.safetensors", resumed + "/checkpoints/checkpoint-4.safetensors")
    }

    @Test func moreRanksThanSequencesIsRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try Self.mpirun(2, ["train", "--distributed"] + Self.tiny
                                  + ["--batch-size", "1", "--iterations", "1", "--output", folder.appendingPathComponent("r").path])
        #expect(run.status != 0)
        #expect(run.error.contains("cannot be shared by 2 processes"), "\(run.error)")
    }

    /// Rank processes are mpirun's children; killing one ends the job with mpirun's report, and
    /// the newest checkpoint still resumes.
    @Test func aRankThatDiesStopsTheJobAndKeepsTheCheckpoint() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run").path
        let job = try Self.startMpirun(2, ["train", "--distributed"] + Self.tiny
                                       + ["--iterations", "500", "--checkpoint-interval", "1", "--keep-checkpoints", "2", "--output", run])
        // If the test fails with the job running: the ranks first (SIGKILL), which ends mpirun;
        // `job` then kills mpirun if it is still there.
        defer { for rank in Self.children(of: job.process.processIdentifier) { kill(rank, SIGKILL) } }

        job.wait(seconds: 180) { FileManager.default.fileExists(atPath: run + "/checkpoints/checkpoint-2.json") }
        let ranks = Self.children(of: job.process.processIdentifier)
        try #require(ranks.count == 2, "rank processes: \(ranks)")
        kill(ranks.max()!, SIGKILL)
        let ended = try job.finish()
        #expect(ended.status != 0)
        #expect(ended.error.contains("signal 9") || ended.error.contains("Killed"), "\(ended.error)")

        let newest = try newestCheckpoint(in: run) ?? 0
        #expect(newest >= 2)
        let resumed = try CommandLineRun(["train", "--output", run, "--resume", "--iterations", "\(newest + 1)"],
                                         environment: Self.environment)
        #expect(resumed.status == 0, "\(resumed.error)")
    }

    /// Ctrl-C on mpirun: it sends the ranks SIGTERM, they agree on one last iteration, rank 0
    /// writes its checkpoint, and that checkpoint resumes.
    @Test func interruptingMpirunStopsAtACheckpointThatResumes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run").path
        let job = try Self.startMpirun(2, ["train", "--distributed"] + Self.tiny
                                       + ["--iterations", "100000", "--checkpoint-interval", "100000",
                                          "--validation-interval", "100000", "--output", run])
        defer { for rank in Self.children(of: job.process.processIdentifier) { kill(rank, SIGKILL) } }
        // Training has begun once rank 0 reports its first iterations.
        try #require(job.wait(seconds: 180) { job.errorSoFar.contains("iteration ") } && job.process.isRunning,
                     "no training to interrupt: \(job.errorSoFar)")
        kill(job.process.processIdentifier, SIGINT)
        try #require(job.wait(seconds: 120) { !job.process.isRunning }, "mpirun still running 2 minutes after SIGINT")
        let stopped = try job.finish()
        let newest = try #require(try newestCheckpoint(in: run), "no checkpoint: \(stopped.error)")
        #expect(stopped.output.contains("stopped on signal 15 (SIGTERM) after \(newest) iterations"), "\(stopped.output)")
        let resumed = try CommandLineRun(["train", "--output", run, "--resume", "--iterations", "\(newest + 1)"],
                                         environment: Self.environment)
        #expect(resumed.status == 0 && resumed.output.contains("trained \(newest + 1) iterations"), "\(resumed.error)")
    }

    /// The processes whose parent is `parent` (from /proc).
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            // Fields after "(command)": state, then the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent
        }
    }
}
