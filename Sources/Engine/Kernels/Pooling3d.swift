/// 3-D max and average pooling on raw [B, C, D, H, W] tensors (inference only). A box window is
/// separable: the pool runs as three 1-D passes (depth, height, width). Padded cells are not
/// values: a window's cells outside the input are left out, which for max is padding with −∞.
package enum Pooling3d {
    package enum Reduction: Sendable { case max, average }

    /// Pools x with window `kernel` and `stride`, `pads` (before, after) per dimension (SAME
    /// padding; `.average` accepts only zero pads, as I3D's VALID logits pool).
    package static func apply(_ reduction: Reduction, _ x: Tensor, kernel: (Int, Int, Int), stride: (Int, Int, Int),
                             pads: [(before: Int, after: Int)] = [(0, 0), (0, 0), (0, 0)]) -> Tensor {
        precondition(x.rank == 5 && pads.count == 3, "Pooling3d: input \(x.shape) is not [B, C, D, H, W]")
        precondition(reduction == .max || pads.allSatisfy { $0.before == 0 && $0.after == 0 },
                     "Pooling3d: average pooling takes no padding")
        let kernels = [kernel.0, kernel.1, kernel.2], strides = [stride.0, stride.1, stride.2]
        var result = x
        // Depth and height first: their passes run on whole rows (vectorised) and shrink what
        // the width pass, a scalar one, has to read.
        for axis in [2, 3, 4] {
            let i = axis - 2
            result = pass(reduction, result, axis: axis, kernel: kernels[i], stride: strides[i], pad: pads[i])
        }
        return result
    }

    /// One 1-D pass along `axis`: x viewed as [outer, n, inner] → [outer, out, inner].
    static func pass(_ reduction: Reduction, _ x: Tensor, axis: Int, kernel: Int, stride: Int,
                     pad: (before: Int, after: Int)) -> Tensor {
        let n = x.shape[axis]
        precondition(kernel > 0 && stride > 0 && pad.before < kernel && pad.after < kernel
                        && n + pad.before + pad.after >= kernel,
                     "Pooling3d: window \(kernel), stride \(stride), pads \(pad) do not fit size \(n) of \(x.shape)")
        if kernel == 1 && stride == 1 { return x }
        let count = (n + pad.before + pad.after - kernel) / stride + 1
        let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
        var shape = x.shape
        shape[axis] = count
        let out = Tensor(uninitializedShape: shape)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let source = x.pointer, target = out.mutablePointer
        Parallel.forRanges(outer, minimumPerTask: max(1, Im2Col.grain / max(n * inner, 1))) { rows in
            for row in rows {
                let from = source + row &* n &* inner, to = target + row &* count &* inner
                if reduction == .max && inner == 1 {
                    // Along the width: one pass per window offset over all outputs, no per-window setup.
                    to.update(repeating: -.infinity, count: count)
                    for c in 0..<kernel {
                        // Outputs whose cell o·stride − before + c lies inside the row.
                        let low = max(0, (pad.before - c + stride - 1) / stride)
                        let reach = n - 1 + pad.before - c
                        let high = reach < 0 ? 0 : min(count, reach / stride + 1)
                        let shifted = from + (c - pad.before)
                        for o in low..<max(low, high) {
                            let value = shifted[o &* stride]
                            to[o] = value > to[o] ? value : to[o]
                        }
                    }
                    continue
                }
                for o in 0..<count {
                    // The window's cells that lie inside the input (never empty: pads < kernel).
                    let first = max(o * stride - pad.before, 0), last = min(o * stride - pad.before + kernel, n)
                    reduce(reduction, from + first &* inner, cells: last - first, inner: inner, into: to + o &* inner)
                }
            }
        }
        return out
    }

    /// line[j] = max (or mean) over c < cells of values[c·inner + j], for j < inner.
    @inline(__always)
    private static func reduce(_ reduction: Reduction, _ values: UnsafePointer<Float>, cells: Int, inner: Int,
                               into line: UnsafeMutablePointer<Float>) {
        if inner == 1 {   // along the width: one scalar per window
            var result = values[0]
            switch reduction {
            case .max: for c in 1..<max(cells, 1) where values[c] > result { result = values[c] }
            case .average:
                for c in 1..<max(cells, 1) { result += values[c] }
                result /= Float(cells)
            }
            line[0] = result
            return
        }
        line.update(from: values, count: inner)
        for c in 1..<max(cells, 1) {
            let next = values + c &* inner
            switch reduction {
            case .max: for j in 0..<inner { line[j] = next[j] > line[j] ? next[j] : line[j] }
            case .average: for j in 0..<inner { line[j] += next[j] }
            }
        }
        if reduction == .average {
            let divisor = Float(cells)
            for j in 0..<inner { line[j] /= divisor }
        }
    }
}
