import CBLAS

/// Single-precision matrix products through OpenBLAS. Matrices are row-major;
/// `transposeA`/`transposeB` read the stored matrix transposed.
///
/// OpenBLAS runs single-threaded: a large product is split into column (or row) blocks, one per
/// core, through `Parallel`, and convolutions split their batch across cores around whole
/// im2col + GEMM + col2im pipelines. OpenBLAS's own pool would otherwise spin (sched_yield)
/// on the cores our im2col and element-wise tasks need: measured, see docs/PERFORMANCE.md.
package enum BLAS {
    /// Multiply-adds below which a product is not split across cores.
    static let splitThreshold = 1 << 21

    /// C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C
    package static func gemm(transposeA: Bool = false, transposeB: Bool = false,
                            m: Int, n: Int, k: Int,
                            alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            // An empty product: C = beta·C.
            for row in 0..<m { for col in 0..<n { c[row * ldc + col] *= beta } }
            return
        }
        _ = singleThreaded
        let work = m * n * k
        guard work >= splitThreshold, Parallel.coreCount > 1, !Parallel.isInsideTask else {
            call(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        // Blocks of whole 16-column (or 16-row) panels, so each stays aligned with the kernel.
        let splitColumns = n >= m
        let panels = ((splitColumns ? n : m) + 15) / 16
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (a, b, c) = (a, b, c)
        Parallel.forRanges(panels, minimumPerTask: max(1, splitThreshold / (work / panels))) { range in
            let first = range.lowerBound * 16
            if splitColumns {
                let count = min(n, range.upperBound * 16) - first
                call(transposeA, transposeB, m, count, k, alpha, a, lda,
                     b + (transposeB ? first * ldb : first), ldb, beta, c + first, ldc)
            } else {
                let count = min(m, range.upperBound * 16) - first
                call(transposeA, transposeB, count, n, k, alpha, a + (transposeA ? first : first * lda), lda,
                     b, ldb, beta, c + first * ldc, ldc)
            }
        }
    }

    private static let singleThreaded: Void = openblas_set_num_threads(1)

    @inline(__always)
    private static func call(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
                             _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
                             _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
                             _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
