/// Reorders between batch-major planes [B, R, P] (how images are stored) and the batch-folded
/// matrix [R, B·P] (how the convolution GEMMs see them), plus the per-channel sum the bias
/// gradients need. Memory-bound copies, split over the cores by (row, item) pairs.
enum ConvolutionLayout {
    /// [B, R, P] → [R, B·P].
    static func fold(_ planes: UnsafePointer<Float>, batch: Int, rows: Int, plane: Int) -> Tensor {
        let folded = Tensor(uninitializedShape: [rows, batch * plane])
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let out = folded.mutablePointer
        nonisolated(unsafe) let planes = planes
        Parallel.forRanges(rows * batch, minimumPerTask: max(1, Im2Col.grain / max(plane, 1))) { range in
            for index in range {
                let row = index / batch, item = index - row * batch
                (out + index &* plane).update(from: planes + (item &* rows &+ row) &* plane, count: plane)
            }
        }
        return folded
    }

    /// [R, B·P] → [B, R, P], adding `bias[row]` to every element of a row when given.
    static func unfold(_ folded: UnsafePointer<Float>, batch: Int, rows: Int, plane: Int,
                       bias: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>) {
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (bias, folded, out) = (bias, folded, out)
        Parallel.forRanges(rows * batch, minimumPerTask: max(1, Im2Col.grain / max(plane, 1))) { range in
            for index in range {
                let row = index / batch, item = index - row * batch
                let source = folded + index &* plane
                let target = out + (item &* rows &+ row) &* plane
                if let bias {
                    let b = bias[row]
                    var p = 0
                    while p < plane { target[p] = source[p] + b; p &+= 1 }
                } else {
                    target.update(from: source, count: plane)
                }
            }
        }
    }

    /// planes[item, row, ·] += bias[row], in place (on a tensor the caller just created).
    static func addBias(_ bias: UnsafePointer<Float>, to planes: UnsafeMutablePointer<Float>,
                        batch: Int, rows: Int, plane: Int) {
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (bias, planes) = (bias, planes)
        Parallel.forRanges(rows * batch, minimumPerTask: max(1, Im2Col.grain / max(plane, 1))) { range in
            for index in range {
                let target = planes + index &* plane
                let b = bias[index % rows]
                var p = 0
                while p < plane { target[p] += b; p &+= 1 }
            }
        }
    }

    /// Σ over items and positions of planes [B, R, P] → [R] (accumulated in Double: a bias
    /// gradient sums thousands of terms).
    static func sumPerRow(_ planes: UnsafePointer<Float>, batch: Int, rows: Int, plane: Int) -> Tensor {
        let sums = Tensor(uninitializedShape: [rows])
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let out = sums.mutablePointer
        nonisolated(unsafe) let planes = planes
        Parallel.forRanges(rows, minimumPerTask: max(1, Im2Col.grain / max(batch * plane, 1))) { range in
            for row in range {
                var total = 0.0
                for item in 0..<batch {
                    let source = planes + (item &* rows &+ row) &* plane
                    // Eight running sums so the loop vectorises.
                    var lanes = SIMD8<Float>()
                    var p = 0
                    while p &+ 8 <= plane {
                        lanes += UnsafeRawPointer(source + p).loadUnaligned(as: SIMD8<Float>.self)
                        p &+= 8
                    }
                    var partial = lanes.sum()
                    while p < plane { partial += source[p]; p &+= 1 }
                    total += Double(partial)
                }
                out[row] = Float(total)
            }
        }
        return sums
    }
}
