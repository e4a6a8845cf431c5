import Foundation

/// Counts the multiply-adds of the products (conv2d, conv3d, convTranspose2d, matmul) run in
/// a scope, for model-size reports such as the paper's Table 2.
///
///     let (prediction, macs) = OperationCounter.count { model(frames: x, mask: nil, inputLength: 4) }
///
/// Only forward products are counted, one multiply-add per weight use (biases, element-wise
/// ops and backward passes are not). Counting is off unless a `count` scope is active: the
/// ops then pay one task-local read. Scopes nest: an inner scope's operations also count in
/// every enclosing one.
public enum OperationCounter {
    /// The innermost active tally of this task (or thread, outside structured concurrency).
    @TaskLocal static var current: Tally?

    /// Runs `body` and returns its result with the multiply-adds it performed.
    public static func count<R>(_ body: () throws -> R) rethrows -> (result: R, multiplyAdds: Int) {
        let tally = Tally(parent: current)
        let result = try $current.withValue(tally, operation: body)
        return (result, tally.total)
    }

    /// Whether a `count` scope is active here.
    public static var isCounting: Bool { current != nil }

    /// Adds `multiplyAdds` to every active scope (no-op when none is).
    @inline(__always)
    public static func record(multiplyAdds: Int) {
        guard let tally = current else { return }
        tally.add(multiplyAdds)
    }

    /// One scope's running total. A lock guards it because a scope may span threads (a body
    /// that itself dispatches work that records products).
    final class Tally: @unchecked Sendable {
        let parent: Tally?
        private var value = 0
        private let lock = NSLock()

        init(parent: Tally?) { self.parent = parent }

        var total: Int {
            lock.lock(); defer { lock.unlock() }
            return value
        }

        func add(_ count: Int) {
            var tally: Tally? = self
            while let current = tally {
                current.lock.lock()
                current.value &+= count
                current.lock.unlock()
                tally = current.parent
            }
        }
    }
}
