import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A claim on a run folder while one process writes in it: a second `train` (or branch) into
/// the same folder — a training script started twice, a `--resume` typed while the run still
/// trains — stops with a clear error instead of interleaving two runs' checkpoints. An advisory
/// `flock` on `<run>/.lock`, which the system releases when the process ends, however it ends,
/// so a crash leaves no stale lock; the file keeps the holder's process id for the message.
final class RunLock {
    private let descriptor: Int32

    static func url(in run: URL) -> URL { run.appendingPathComponent(".lock") }

    /// Claims `run` (which must exist) or throws, naming the process that holds it.
    init(run: URL) throws {
        let path = Self.url(in: run).path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ExperimentError("cannot open \(path) to claim the run folder: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            close(descriptor)
            throw ExperimentError("\(run.path) is in use by another training process"
                                  + (holder.flatMap { $0.isEmpty ? nil : " (process \($0))" } ?? "")
                                  + ": let it finish, or stop it first (Ctrl-C or SIGTERM stops it at a checkpoint)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    deinit {
        _ = ftruncate(descriptor, 0)
        close(descriptor)   // releases the flock
    }
}
