import CKernels
import Foundation
import Synchronization

/// The threads behind `Parallel`: `coreCount − 1` workers that, after a job, spin for a while
/// before they sleep, so the next job (a training step starts hundreds per second, most a few
/// hundred microseconds long) finds them awake. With Dispatch each job woke a sleeping thread
/// through the kernel: ≈ 5 % of a 32-channel training step was futex and scheduler time, and the
/// caller waited for the wake-up. OpenMP (PyTorch's pool) spins the same way.
///
/// One job at a time: the caller takes part, claims tasks like the workers and returns when all
/// are done. A caller that finds the pool busy (another thread's job) gets `false` and runs its
/// job some other way.
///
/// Sendable by hand: the job's `body` is written only by the caller holding `busy`, before the
/// job is published through the atomic `state` and after every task has finished; the workers
/// read it only for a task they claimed of the published job.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool(workers: Parallel.coreCount - 1)

    /// How long an idle worker spins before it sleeps.
    static let spinNanoseconds: UInt64 = 2_000_000

    /// The published job in one word, so that a worker can only claim a task of a job it has
    /// seen: generation (bits 40…63), task count (20…39), next unclaimed task (0…19).
    private let state = Atomic<UInt64>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    /// Written by the caller before it publishes a job, read only by whoever claimed one of its
    /// tasks (so the job is still running and the value still its own).
    private var body: (@Sendable (Int) -> Void)?
    private static let fieldBits: UInt64 = 20, fieldMask: UInt64 = (1 << 20) - 1

    @inline(__always) private static func generation(_ word: UInt64) -> UInt64 { word >> (2 * fieldBits) }
    @inline(__always) private static func count(_ word: UInt64) -> UInt64 { (word >> fieldBits) & fieldMask }
    @inline(__always) private static func next(_ word: UInt64) -> UInt64 { word & fieldMask }

    private let busy = NSLock()
    private let wake = NSCondition()

    private init(workers: Int) {
        for index in 0..<max(0, workers) {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "motionrnn-worker-\(index)"
            thread.stackSize = 8 << 20   // as the main thread's: tasks run the same kernels
            thread.start()
        }
    }

    /// Runs `body(task)` for every task in `0..<count` on the workers and the calling thread,
    /// or returns false (doing nothing) when another thread's job holds the pool.
    func run(_ count: Int, _ body: @Sendable (Int) -> Void) -> Bool {
        guard UInt64(count) <= Self.fieldMask, busy.try() else { return false }
        defer { busy.unlock() }
        withoutActuallyEscaping(body) { body in
            self.body = body
            finished.store(0, ordering: .relaxed)
            let generation = (Self.generation(state.load(ordering: .relaxed)) &+ 1) & ((1 << 24) - 1)
            state.store(generation << (2 * Self.fieldBits) | UInt64(count) << Self.fieldBits,
                        ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wake.lock()
                wake.broadcast()
                wake.unlock()
            }
            runTasks(of: generation)
            while finished.load(ordering: .acquiring) < count { mrnn_pause() }
            self.body = nil
        }
        return true
    }

    /// Claims and runs tasks of job `generation` until none is left.
    private func runTasks(of generation: UInt64) {
        var current = state.load(ordering: .acquiring)
        while Self.generation(current) == generation, Self.next(current) < Self.count(current) {
            let (exchanged, original) = state.compareExchange(expected: current, desired: current &+ 1,
                                                              ordering: .acquiringAndReleasing)
            if exchanged {
                body!(Int(Self.next(current)))
                finished.add(1, ordering: .releasing)
                current = current &+ 1
            } else {
                current = original
            }
        }
    }

    private func work() {
        var seen: UInt64 = 0
        while true {
            var generation = Self.generation(state.load(ordering: .acquiring))
            var deadline: UInt64 = 0
            var spins = 0
            while generation == seen {
                mrnn_pause()
                spins &+= 1
                if spins & 255 == 0 {
                    let now = DispatchTime.now().uptimeNanoseconds
                    if deadline == 0 { deadline = now + Self.spinNanoseconds } else if now > deadline { sleep(until: seen) }
                }
                generation = Self.generation(state.load(ordering: .acquiring))
            }
            seen = generation
            runTasks(of: generation)
        }
    }

    /// Sleeps until a job newer than `seen` is published.
    private func sleep(until seen: UInt64) {
        wake.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        while Self.generation(state.load(ordering: .sequentiallyConsistent)) == seen { wake.wait() }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        wake.unlock()
    }
}
