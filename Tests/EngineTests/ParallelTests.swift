@testable import Engine
import Foundation
import Synchronization
import Testing

/// `Parallel` on its worker pool: every task runs exactly once, across many jobs in a row,
/// after the workers have gone to sleep, nested, and with several threads calling at once
/// (one gets the pool, the others Dispatch).
///
/// The tallies use `Tally` (a pthread mutex) rather than `Synchronization.Mutex`: on Linux the
/// latter is a bare futex that ThreadSanitizer cannot see, so TSan reported the tallies as races.
@Suite(.serialized) struct ParallelTests {
    /// Counters updated from many threads under an `NSLock`.
    final class Tally: @unchecked Sendable {  // every access holds `lock`
        private let lock = NSLock()
        private var values: [Int]
        init(_ count: Int) { values = [Int](repeating: 0, count: count) }
        func add(_ index: Int) { lock.lock(); values[index] += 1; lock.unlock() }
        var counts: [Int] { lock.lock(); defer { lock.unlock() }; return values }
    }

    /// Runs `count` tasks through `Parallel.forEach` and returns how often each ran.
    static func runCounts(_ count: Int) -> [Int] {
        let tally = Tally(count)
        Parallel.forEach(count) { task in tally.add(task) }
        return tally.counts
    }

    @Test func everyTaskRunsOnceInManyJobsInARow() {
        for job in 0..<2000 {
            let count = 2 + job % 7
            #expect(Self.runCounts(count) == [Int](repeating: 1, count: count), "job \(job)")
        }
    }

    /// The pool itself (other suites may hold it at moments: then `run` declines and is retried).
    @Test func poolWorkersTakeTasks() {
        let workerTasks = Atomic<Int>(0)
        let caller = pthread_self()
        var jobs = 0
        while jobs < 500 {
            let tally = Tally(4)
            let ran = WorkerPool.shared.run(4) { task in
                tally.add(task)
                if pthread_equal(pthread_self(), caller) == 0 { workerTasks.add(1, ordering: .relaxed) }
                Thread.sleep(forTimeInterval: 1e-5)   // long enough for the worker to claim some
            }
            if ran {
                #expect(tally.counts == [1, 1, 1, 1])
                jobs += 1
            }
        }
        #expect(Parallel.coreCount < 2 || workerTasks.load(ordering: .relaxed) > 0)
    }

    @Test func rangesCoverEveryIndexOnce() {
        let tally = Tally(10_000)
        Parallel.forRanges(10_000, minimumPerTask: 100) { range in
            for index in range { tally.add(index) }
        }
        #expect(tally.counts == [Int](repeating: 1, count: 10_000))
    }

    /// A worker past its spin sleeps; the next job must wake it (the caller alone would also
    /// finish the job, so this checks that a task ran off the calling thread). Other suites run
    /// meanwhile and often hold the pool, so only the tries that got it count, for up to a minute.
    @Test func workersWakeAfterSleeping() {
        guard Parallel.coreCount > 1 else { return }
        let caller = pthread_self()
        var (wokenWorkerRan, triesWithThePool) = (false, 0)
        _ = WorkerPool.shared.run(1) { _ in }   // the workers exist (and will sleep) before the first try
        let giveUp = Date().addingTimeInterval(60)
        while !wokenWorkerRan && triesWithThePool < 10 && Date() < giveUp {
            Thread.sleep(forTimeInterval: Double(WorkerPool.spinNanoseconds) * 3e-9)
            let offCaller = Atomic<Int>(0)
            let ran = WorkerPool.shared.run(4) { _ in
                if pthread_equal(pthread_self(), caller) == 0 {
                    offCaller.add(1, ordering: .relaxed)
                    return
                }
                // The caller's tasks wait (up to 0.5 s) for a worker to take one: on a loaded
                // machine a woken thread can take a long while to get a core.
                let deadline = DispatchTime.now().uptimeNanoseconds + 500_000_000
                while offCaller.load(ordering: .relaxed) == 0 && DispatchTime.now().uptimeNanoseconds < deadline {
                    Thread.sleep(forTimeInterval: 1e-3)
                }
            }
            if ran { triesWithThePool += 1 }
            wokenWorkerRan = ran && offCaller.load(ordering: .relaxed) > 0
        }
        #expect(wokenWorkerRan, "\(triesWithThePool) tries had the pool")
    }

    @Test func nestedLoopsRunSeriallyInsideATask() {
        let inner = Atomic<Int>(0), nestedInTask = Atomic<Int>(0)
        Parallel.forEach(4) { _ in
            if Parallel.isInsideTask { nestedInTask.add(1, ordering: .relaxed) }
            Parallel.forEach(3) { _ in inner.add(1, ordering: .relaxed) }
        }
        #expect(inner.load(ordering: .relaxed) == 12)
        #expect(nestedInTask.load(ordering: .relaxed) == 4)
        #expect(!Parallel.isInsideTask)
    }

    @Test func concurrentCallersAllComplete() async {
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<200).allSatisfy { job in Self.runCounts(2 + job % 5) == [Int](repeating: 1, count: 2 + job % 5) }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == [Bool](repeating: true, count: 8))
    }
}
