import Dispatch
import Foundation

/// Splits index ranges across the machine's cores for memory-bound kernels.
public enum Parallel {
    public static let coreCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body` on disjoint sub-ranges covering `0..<count`, concurrently when the work is
    /// large enough to pay for the hand-off (`minimumPerTask` items per task at least).
    public static func forRanges(_ count: Int, minimumPerTask: Int = 32_768,
                                 _ body: (Range<Int>) -> Void) {
        let tasks = min(coreCount, count / max(minimumPerTask, 1))
        guard tasks > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: tasks) { task in
            let start = count * task / tasks
            let end = count * (task + 1) / tasks
            body(start..<end)
        }
    }

    /// Calls `body(index)` for each index in `0..<count`, spread over the cores.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1, coreCount > 1 else {
            for index in 0..<count { body(index) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}
