import Foundation

/// Softmax along one axis of raw tensors, numerically stable (the maximum is subtracted before
/// exponentiating, so no exp overflows and the largest term is exactly 1).
/// A tensor is viewed as [outer, n, inner] with the softmax over n.
package enum Softmax {
    package static func forward(_ x: Tensor, axis: Int) -> Tensor {
        let axis = Shape.normalizedAxis(axis, rank: x.rank, op: "softmax", shape: x.shape)
        let (outer, n, inner) = view(x.shape, axis: axis)
        let out = Tensor(uninitializedShape: x.shape)
        guard out.count > 0 else { return out }
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let src = x.pointer, dst = out.mutablePointer
        Parallel.forRanges(outer, minimumPerTask: max(1, 8_192 / (n * inner))) { range in
            if inner == 1 {
                for o in range {
                    let s = src + o &* n, d = dst + o &* n
                    var largest = s[0]
                    for i in 1..<n { largest = Swift.max(largest, s[i]) }
                    var total: Float = 0
                    for i in 0..<n {
                        let e = softmaxExp(s[i] - largest)
                        d[i] = e
                        total += e
                    }
                    let scale = 1 / total
                    for i in 0..<n { d[i] *= scale }
                }
            } else {
                // Axis not innermost: run the reductions over whole rows of `inner` values so
                // every inner loop is contiguous.
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * inner)
                defer { scratch.deallocate() }
                let largest = scratch, total = scratch + inner
                for o in range {
                    let s = src + o &* n &* inner, d = dst + o &* n &* inner
                    largest.update(from: s, count: inner)
                    for i in 1..<n {
                        let row = s + i &* inner
                        for j in 0..<inner { largest[j] = Swift.max(largest[j], row[j]) }
                    }
                    total.update(repeating: 0, count: inner)
                    for i in 0..<n {
                        let row = s + i &* inner, outRow = d + i &* inner
                        for j in 0..<inner {
                            let e = softmaxExp(row[j] - largest[j])
                            outRow[j] = e
                            total[j] += e
                        }
                    }
                    for j in 0..<inner { total[j] = 1 / total[j] }
                    for i in 0..<n {
                        let outRow = d + i &* inner
                        for j in 0..<inner { outRow[j] *= total[j] }
                    }
                }
            }
        }
        return out
    }

    /// dL/dx = y ⊙ (g − Σₐ g ⊙ y), from the softmax output y and its gradient g.
    package static func backward(output y: Tensor, grad g: Tensor, axis: Int) -> Tensor {
        Shape.check("softmax backward", g.shape, equals: y.shape, "gradient")
        let axis = Shape.normalizedAxis(axis, rank: y.rank, op: "softmax", shape: y.shape)
        let (outer, n, inner) = view(y.shape, axis: axis)
        let out = Tensor(uninitializedShape: y.shape)
        guard out.count > 0 else { return out }
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let yp = y.pointer, gp = g.pointer, dst = out.mutablePointer
        Parallel.forRanges(outer, minimumPerTask: max(1, 32_768 / (n * inner))) { range in
            let dots = UnsafeMutablePointer<Float>.allocate(capacity: inner)
            defer { dots.deallocate() }
            for o in range {
                let base = o &* n &* inner
                let ys = yp + base, gs = gp + base, d = dst + base
                dots.update(repeating: 0, count: inner)
                for i in 0..<n {
                    let offset = i &* inner
                    for j in 0..<inner { dots[j] += gs[offset &+ j] * ys[offset &+ j] }
                }
                for i in 0..<n {
                    let offset = i &* inner
                    for j in 0..<inner {
                        d[offset &+ j] = ys[offset &+ j] * (gs[offset &+ j] - dots[j])
                    }
                }
            }
        }
        return out
    }

    static func view(_ shape: [Int], axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
}

/// The one exp of the softmax kernels.
@inline(__always)
private func softmaxExp(_ x: Float) -> Float {
    FastMath.exp(x)
}
