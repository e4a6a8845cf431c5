/// Copies of slabs along one axis of raw tensors: the kernels behind concat, split, slice and
/// select. A tensor is viewed as [outer, axis, inner]; a slab `start..<start+length` along the
/// axis is `outer` contiguous blocks of `length·inner` values.
package enum Concatenation {
    /// Joins tensors that agree on every dimension but `axis`.
    package static func apply(_ tensors: [Tensor], axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concat: no tensors")
        let first = tensors[0].shape
        let axis = Shape.normalizedAxis(axis, rank: first.count, op: "concat", shape: first)
        var shape = first
        shape[axis] = 0
        for t in tensors {
            var expected = first
            expected[axis] = t.shape.count == first.count ? t.shape[axis] : 0
            precondition(t.shape == expected,
                         "concat: shape \(t.shape) does not match \(first) outside axis \(axis) (shapes \(tensors.map(\.shape)))")
            shape[axis] += t.shape[axis]
        }
        let out = Tensor(uninitializedShape: shape)
        var start = 0
        for t in tensors {
            place(t, into: out, start: start, axis: axis)
            start += t.shape[axis]
        }
        return out
    }

    /// The slab `start..<start+length` of `t` along `axis` (the axis keeps size `length`).
    package static func slice(_ t: Tensor, start: Int, length: Int, axis: Int) -> Tensor {
        precondition(axis >= 0 && axis < t.rank && start >= 0 && length >= 0
                        && start + length <= t.shape[axis],
                     "slice: range \(start)..<\(start + length) on axis \(axis) out of bounds for shape \(t.shape)")
        var shape = t.shape
        shape[axis] = length
        let out = Tensor(uninitializedShape: shape)
        let (outer, inner) = split(t.shape, axis: axis)
        copy(from: t.pointer, axisSize: t.shape[axis], start: start,
             to: out.mutablePointer, axisSize: length, start: 0,
             length: length, outer: outer, inner: inner)
        return out
    }

    /// Writes `part` into the slab of `target` starting at `start` along `axis`.
    /// `target` must be a tensor the caller has just created.
    package static func place(_ part: Tensor, into target: Tensor, start: Int, axis: Int) {
        var expected = target.shape
        expected[axis] = part.shape[axis]
        precondition(part.shape == expected && start + part.shape[axis] <= target.shape[axis],
                     "place: part \(part.shape) does not fit \(target.shape) at \(start) on axis \(axis)")
        let (outer, inner) = split(target.shape, axis: axis)
        copy(from: part.pointer, axisSize: part.shape[axis], start: 0,
             to: target.mutablePointer, axisSize: target.shape[axis], start: start,
             length: part.shape[axis], outer: outer, inner: inner)
    }

    /// Zeroes the slab `start..<start+length` of `target` along `axis`.
    package static func zero(_ target: Tensor, start: Int, length: Int, axis: Int) {
        let (outer, inner) = split(target.shape, axis: axis)
        let axisSize = target.shape[axis], block = length * inner
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let dst = target.mutablePointer
        guard block > 0 else { return }
        Parallel.forRanges(outer, minimumPerTask: max(1, 32_768 / block)) { range in
            for o in range {
                (dst + (o &* axisSize &+ start) &* inner).update(repeating: 0, count: block)
            }
        }
    }

    /// (product of dims before `axis`, product of dims after it).
    static func split(_ shape: [Int], axis: Int) -> (outer: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[(axis + 1)...].reduce(1, *))
    }

    static func copy(from src: UnsafePointer<Float>, axisSize srcAxis: Int, start srcStart: Int,
                     to dst: UnsafeMutablePointer<Float>, axisSize dstAxis: Int, start dstStart: Int,
                     length: Int, outer: Int, inner: Int) {
        let block = length * inner
        guard block > 0 else { return }
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (dst, src) = (dst, src)
        Parallel.forRanges(outer, minimumPerTask: max(1, 32_768 / block)) { range in
            for o in range {
                (dst + (o &* dstAxis &+ dstStart) &* inner)
                    .update(from: src + (o &* srcAxis &+ srcStart) &* inner, count: block)
            }
        }
    }
}
