import Dispatch
import Foundation

/// Splits work across the machine's cores. All of the engine's parallelism goes through here,
/// OpenBLAS included (it runs single-threaded inside our tasks; see `BLAS`), so there is one pool
/// of threads (`WorkerPool`) and no two schedulers fighting over the same cores.
public enum Parallel {
    /// Cores to use: `MOTIONRNN_THREADS` when set to a positive number, else the cores this
    /// process may run on.
    public static let coreCount: Int = {
        if let text = ProcessInfo.processInfo.environment["MOTIONRNN_THREADS"], let value = Int(text), value > 0 {
            return value
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// True on a thread that is running one task of a parallel loop: nested loops then run
    /// serially in that task, since the outer loop already keeps every core busy.
    public static var isInsideTask: Bool { pthread_getspecific(taskKey) != nil }

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, concurrently when the work is
    /// large enough to pay for the hand-off (`minimumPerTask` items per task at least).
    ///
    /// `body` is `@Sendable`, so the compiler refuses captured mutable state. Kernels hand their
    /// raw pointers to it as `nonisolated(unsafe) let`: safe under this loop's contract, that a
    /// task writes only the elements of its own range and reads nothing another task writes.
    public static func forRanges(_ count: Int, minimumPerTask: Int = 32_768,
                                 _ body: @Sendable (Range<Int>) -> Void) {
        let tasks = isInsideTask ? 1 : min(coreCount, count / max(minimumPerTask, 1))
        guard tasks > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        run(tasks) { task in body((count * task / tasks)..<(count * (task + 1) / tasks)) }
    }

    /// Calls `body(index)` for each index in `0..<count`, spread over the cores.
    public static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        guard count > 1, coreCount > 1, !isInsideTask else {
            for index in 0..<count { body(index) }
            return
        }
        run(count, body)
    }

    /// `body(task)` for tasks 0..<count on the worker pool, or on Dispatch's threads when another
    /// thread's job holds the pool.
    private static func run(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if WorkerPool.shared.run(count, { task in runAsTask { body(task) } }) { return }
        DispatchQueue.concurrentPerform(iterations: count) { task in runAsTask { body(task) } }
    }

    private static let taskKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
    /// Only its address is used (as the task mark), never its byte.
    nonisolated(unsafe) private static let marker = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

    /// Runs `body` marked as a task (the calling thread takes part in a job too, so the previous
    /// mark is restored afterwards).
    private static func runAsTask(_ body: () -> Void) {
        let previous = pthread_getspecific(taskKey)
        pthread_setspecific(taskKey, marker)
        defer { pthread_setspecific(taskKey, previous) }
        body()
    }
}
