/// Numpy-style broadcasting: shapes align on the right, and an axis of size 1 (or a missing
/// leading axis) repeats to match the other operand.
///
/// Every broadcast is first "coalesced": axes of size 1 in the result are dropped and adjacent
/// axes along which each operand is either full or repeated in the same way are merged. Then
/// the common cases are one inner SIMD loop per row: equal shapes become one flat loop, a
/// single-element operand a scalar loop, and a trailing-shape operand ([C,H,W] onto
/// [B,C,H,W]) B rows of a flat loop.
package enum Broadcast {
    /// The shape of broadcasting `a` with `b`; fails naming `op` and both shapes.
    package static func shape(_ a: [Int], _ b: [Int], op: String = "broadcast") -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let da = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
            let db = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
            precondition(da == db || da == 1 || db == 1,
                         "\(op): shapes \(a) and \(b) do not broadcast")
            result[axis] = da == 1 ? db : da
        }
        return result
    }

    /// a ⊕ b, broadcasting either side.
    package static func apply(_ op: Elementwise.BinaryOperator, _ a: Tensor, _ b: Tensor) -> Tensor {
        switch op {
        case .add: return apply(AddOperation.self, a, b)
        case .subtract: return apply(SubtractOperation.self, a, b)
        case .multiply: return apply(MultiplyOperation.self, a, b)
        }
    }

    /// Sums `gradient` (shaped like a broadcast result) over the axes along which an operand of
    /// `shape` was repeated: the gradient of that operand.
    package static func reduce(_ gradient: Tensor, to shape: [Int]) -> Tensor {
        reduce(PlainSummand.self, gradient, gradient, to: shape)
    }

    /// `reduce(gradient ⊙ other, to: shape)` without the temporary; `other` has the gradient's
    /// shape (the multiplication backward for the operand that was broadcast).
    package static func reduceProduct(_ gradient: Tensor, _ other: Tensor, to shape: [Int]) -> Tensor {
        Shape.check("reduceProduct", other.shape, equals: gradient.shape, "factor")
        return reduce(ProductSummand.self, gradient, other, to: shape)
    }

    // MARK: Plan

    /// A coalesced broadcast: result dims (outermost first, none of size 1) and, per operand,
    /// its element stride along each (0 where it repeats).
    struct Plan {
        let dims: [Int]
        let strides: [[Int]]

        /// `shapes` must broadcast to `result`.
        init(result: [Int], operands shapes: [[Int]]) {
            let rank = result.count
            let padded = shapes.map { [Int](repeating: 1, count: rank - $0.count) + $0 }
            var dims: [Int] = []
            var full: [[Bool]] = []  // per coalesced dim, per operand
            for axis in 0..<rank where result[axis] != 1 {
                let flags = padded.map { $0[axis] != 1 }
                if let last = full.last, last == flags {
                    dims[dims.count - 1] *= result[axis]
                } else {
                    dims.append(result[axis])
                    full.append(flags)
                }
            }
            self.dims = dims
            strides = shapes.indices.map { operand in
                var strides = [Int](repeating: 0, count: full.count)
                var running = 1
                for d in stride(from: full.count - 1, through: 0, by: -1) where full[d][operand] {
                    strides[d] = running
                    running *= dims[d]
                }
                return strides
            }
        }

        /// Rows are all dims but the innermost one.
        var rowCount: Int { dims.dropLast().reduce(1, *) }
        var inner: Int { dims.last ?? 1 }

        /// Walks rows `range` in order, giving each operand's offset at the start of each row.
        @inline(__always)
        func forEachRow(_ range: Range<Int>, _ body: (_ row: Int, _ offsets: [Int]) -> Void) {
            let outer = dims.count - 1
            guard outer > 0 else {
                for row in range { body(row, [Int](repeating: 0, count: strides.count)) }
                return
            }
            // Odometer over the outer dims, started from range.lowerBound.
            var counters = [Int](repeating: 0, count: outer)
            var rest = range.lowerBound
            for d in stride(from: outer - 1, through: 0, by: -1) {
                counters[d] = rest % dims[d]
                rest /= dims[d]
            }
            var offsets = strides.map { s in (0..<outer).reduce(0) { $0 + counters[$1] * s[$1] } }
            for row in range {
                body(row, offsets)
                var d = outer - 1
                while d >= 0 {
                    counters[d] += 1
                    for o in offsets.indices { offsets[o] += strides[o][d] }
                    if counters[d] < dims[d] { break }
                    for o in offsets.indices { offsets[o] -= strides[o][d] * dims[d] }
                    counters[d] = 0
                    d -= 1
                }
            }
        }
    }

    // MARK: Forward

    static func apply<Op: BinaryOperation>(_: Op.Type, _ a: Tensor, _ b: Tensor) -> Tensor {
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let pa = a.pointer, pb = b.pointer
        // Fast path: equal shapes, one flat SIMD loop split over the cores.
        if a.shape == b.shape {
            let out = Tensor(uninitializedShape: a.shape)
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let po = out.mutablePointer
            Parallel.forRanges(a.count, minimumPerTask: Elementwise.memoryBoundGrain) { r in
                Elementwise.binary(Op.self, pa + r.lowerBound, pb + r.lowerBound,
                                   po + r.lowerBound, count: r.count)
            }
            return out
        }
        let resultShape = shape(a.shape, b.shape, op: "broadcast \(Op.self)")
        let out = Tensor(uninitializedShape: resultShape)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let po = out.mutablePointer
        let count = out.count
        guard count > 1 else {
            if count == 1 { po[0] = Op.apply(pa[0], pb[0]) }
            return out
        }
        // Fast path: a single-element operand, one flat scalar loop (no plan to build).
        if b.count == 1 && resultShape == a.shape {
            let s = pb[0]
            Parallel.forRanges(count, minimumPerTask: Elementwise.memoryBoundGrain) { r in
                Elementwise.binary(Op.self, pa + r.lowerBound, scalar: s, po + r.lowerBound, count: r.count)
            }
            return out
        }
        if a.count == 1 && resultShape == b.shape {
            let s = pa[0]
            Parallel.forRanges(count, minimumPerTask: Elementwise.memoryBoundGrain) { r in
                Elementwise.binary(Op.self, scalar: s, pb + r.lowerBound, po + r.lowerBound, count: r.count)
            }
            return out
        }
        let plan = Plan(result: resultShape, operands: [a.shape, b.shape])
        let inner = plan.inner
        let strideA = plan.strides[0].last!, strideB = plan.strides[1].last!

        @inline(__always) @Sendable
        func run(_ offA: Int, _ offB: Int, _ offOut: Int, _ n: Int) {
            if strideA == 1 && strideB == 1 {
                Elementwise.binary(Op.self, pa + offA, pb + offB, po + offOut, count: n)
            } else if strideA == 1 {
                Elementwise.binary(Op.self, pa + offA, scalar: pb[offB], po + offOut, count: n)
            } else {
                Elementwise.binary(Op.self, scalar: pa[offA], pb + offB, po + offOut, count: n)
            }
        }

        let rows = plan.rowCount
        if rows == 1 {
            // One long row (e.g. a single-element operand): split the row.
            Parallel.forRanges(inner, minimumPerTask: Elementwise.memoryBoundGrain) { r in
                run(r.lowerBound * strideA, r.lowerBound * strideB, r.lowerBound, r.count)
            }
        } else {
            Parallel.forRanges(rows, minimumPerTask: max(1, Elementwise.memoryBoundGrain / inner)) { r in
                plan.forEachRow(r) { row, offsets in run(offsets[0], offsets[1], row * inner, inner) }
            }
        }
        return out
    }

    // MARK: Reduction

    static func reduce<S: Summand>(_: S.Type, _ gradient: Tensor, _ other: Tensor,
                                   to shape: [Int]) -> Tensor {
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let pg = gradient.pointer, po = other.pointer
        let resultShape = self.shape(shape, gradient.shape, op: "reduce to \(shape)")
        Shape.check("reduce to \(shape)", resultShape, equals: gradient.shape, "gradient")
        let out = Tensor(zeros: shape)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let pt = out.mutablePointer
        if out.count == gradient.count {
            // Nothing repeated, only leading 1s: a plain copy (or product).
            Parallel.forRanges(out.count, minimumPerTask: Elementwise.memoryBoundGrain) { r in
                for i in r { pt[i] = S.scalar(pg, po, i) }
            }
            return out
        }
        if out.count == 1 {
            pt[0] = Float(Elementwise.blockedSum(count: gradient.count) { r in
                Elementwise.sumRange(S.self, pg, po, r)
            })
            return out
        }
        guard gradient.count > 0 else { return out }
        // Operand 0: the gradient (full everywhere); operand 1: the reduced target.
        let plan = Plan(result: gradient.shape, operands: [gradient.shape, shape])
        let inner = plan.inner, rows = plan.rowCount
        if plan.strides[1].last! == 1 {
            // Target full along the inner dim: add rows into it; split the columns over the
            // cores so that no two tasks write the same element.
            Parallel.forRanges(inner, minimumPerTask: max(64, Elementwise.memoryBoundGrain / rows)) { cols in
                plan.forEachRow(0..<rows) { _, offsets in
                    let g = offsets[0] + cols.lowerBound, t = pt + offsets[1] + cols.lowerBound
                    var j = 0
                    while j &+ 8 <= cols.count {
                        Elementwise.store(Elementwise.load(t + j) + S.load(pg, po, g &+ j), t + j)
                        j &+= 8
                    }
                    while j < cols.count { t[j] += S.scalar(pg, po, g &+ j); j &+= 1 }
                }
            }
        } else {
            // Target repeated along the inner dim: each row sums to one target element. Rows
            // go to distinct elements unless the target also repeats along an outer dim.
            let distinct = plan.strides[1].dropLast().allSatisfy { $0 != 0 }
            let body: @Sendable (Range<Int>) -> Void = { r in
                plan.forEachRow(r) { _, offsets in
                    let s = Elementwise.sumRange(S.self, pg, po, offsets[0]..<(offsets[0] + inner))
                    pt[offsets[1]] += Float(s)
                }
            }
            if distinct {
                Parallel.forRanges(rows, minimumPerTask: max(1, Elementwise.memoryBoundGrain / inner), body)
            } else {
                body(0..<rows)
            }
        }
        return out
    }
}
