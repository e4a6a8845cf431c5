import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How the benchmarks time code: medians of samples, the bodies compared sampled in turn.
package enum Timing {
    /// The median (mean of the two middle values for an even count; NaN when empty).
    package static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Seconds per call of each body: the median (or with `fastest` the minimum) of
    /// `repetitions` samples. The bodies are sampled in turn (one sample of each per round), so a
    /// change of machine load affects them alike and their ratios stay fair. Each sample repeats
    /// its call enough times to last about a millisecond, so the clock's resolution does not
    /// dominate small shapes. `cpuTime` measures the process's CPU time instead of wall time
    /// (meaningful single-threaded only).
    package static func interleaved(_ bodies: [() -> Void], warmup: Int, repetitions: Int,
                                   fastest: Bool = false, cpuTime: Bool = false) -> [Double] {
        func now() -> Double {
            guard cpuTime else { return Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
            var spec = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        }
        func seconds(_ calls: Int, _ body: () -> Void) -> Double {
            let start = now()
            for _ in 0..<calls { body() }
            return (now() - start) / Double(calls)
        }
        let calls = bodies.map { body in
            for _ in 0..<warmup { body() }
            return max(1, min(1000, Int(1e-3 / max(seconds(1, body), 1e-7))))
        }
        var samples = [[Double]](repeating: [], count: bodies.count)
        for _ in 0..<max(1, repetitions) {
            for index in bodies.indices { samples[index].append(seconds(calls[index], bodies[index])) }
        }
        return samples.map { fastest ? $0.min()! : median($0) }
    }
}
