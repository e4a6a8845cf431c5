import Engine
import Foundation

/// Raw SGEMM GFLOP/s on this machine, now: the yardstick the benchmarks quote their kernels
/// against (operands preallocated, median of timed runs after a warm-up).
package enum SGEMMProbe {
    package enum Parallelism: Sendable {
        /// One product split across the cores by the engine's GEMM (as the model's convolutions
        /// with a folded batch run).
        case splitProduct
        /// One single-threaded product per core at once (as I3D's per-frame products run).
        case onePerCore
    }

    package static func gigaflops(m: Int, n: Int, k: Int, parallelism: Parallelism) -> Double {
        let cores = parallelism == .onePerCore ? Parallel.coreCount : 1
        let a = Tensor(repeating: 0.5, shape: [m, k]), b = Tensor(repeating: 0.25, shape: [k, n])
        // One preallocated output per core (each task writes only its own), outside the timed products.
        nonisolated(unsafe) let outputs = (0..<cores).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: m * n) }
        defer { outputs.forEach { $0.deallocate() } }
        @Sendable func product(_ index: Int) {
            BLAS.gemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, c: outputs[index], ldc: n)
        }
        let body: () -> Void = parallelism == .onePerCore
            ? { Parallel.forRanges(cores, minimumPerTask: 1) { range in range.forEach(product) } }
            : { product(0) }
        let seconds = Timing.interleaved([body], warmup: 2, repetitions: 9)[0]
        return 2 * Double(m * n * k * cores) / seconds / 1e9
    }
}
