/// Element-wise kernels on raw tensors and pointers (no autodiff).
///
/// Pointer kernels are single-threaded SIMD loops over `count` elements (any count; the tail is
/// handled). Tensor kernels allocate their result and spread large arrays over the cores.
package enum Elementwise {
    /// Below this many elements per task a hand-off to a second core costs more than it saves
    /// for cheap memory-bound loops; transcendental loops split earlier.
    static let memoryBoundGrain = 32_768
    static let computeBoundGrain = 8_192

    /// The binary operators that broadcast (see `Broadcast`).
    package enum BinaryOperator: Sendable {
        case add, subtract, multiply
    }

    // MARK: In place

    /// target += source, in place. `target` must own its storage.
    package static func addInPlace(_ target: Tensor, _ source: Tensor) {
        precondition(target.count == source.count,
                     "addInPlace: shape \(target.shape) does not match \(source.shape)")
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let t = target.mutablePointer, s = source.pointer
        Parallel.forRanges(target.count, minimumPerTask: memoryBoundGrain) { range in
            binary(AddOperation.self, UnsafePointer(t + range.lowerBound), s + range.lowerBound,
                   t + range.lowerBound, count: range.count)
        }
    }

    // MARK: Tensor kernels

    /// a ⊕ b with numpy-style broadcasting (either side may broadcast).
    package static func apply(_ op: BinaryOperator, _ a: Tensor, _ b: Tensor) -> Tensor {
        Broadcast.apply(op, a, b)
    }

    package static func add(_ a: Tensor, _ b: Tensor) -> Tensor { Broadcast.apply(.add, a, b) }
    package static func subtract(_ a: Tensor, _ b: Tensor) -> Tensor { Broadcast.apply(.subtract, a, b) }
    package static func multiply(_ a: Tensor, _ b: Tensor) -> Tensor { Broadcast.apply(.multiply, a, b) }

    /// x · scale + shift (covers x + c, x · c, c − x, −x).
    package static func affine(_ x: Tensor, scale: Float, shift: Float) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let src = x.pointer, dst = out.mutablePointer
        Parallel.forRanges(x.count, minimumPerTask: memoryBoundGrain) { range in
            affine(src + range.lowerBound, scale: scale, shift: shift, dst + range.lowerBound,
                   count: range.count)
        }
        return out
    }

    package static func sigmoid(_ x: Tensor) -> Tensor {
        map(x) { FastMath.sigmoid($0, $1, count: $2) }
    }

    package static func tanh(_ x: Tensor) -> Tensor {
        map(x) { FastMath.tanh($0, $1, count: $2) }
    }

    package static func exp(_ x: Tensor) -> Tensor {
        map(x) { FastMath.exp($0, $1, count: $2) }
    }

    /// grad · y · (1 − y), the sigmoid derivative from its output y.
    package static func sigmoidBackward(output y: Tensor, grad: Tensor) -> Tensor {
        zip(y, grad, SigmoidDerivative())
    }

    /// grad · (1 − y²), the tanh derivative from its output y.
    package static func tanhBackward(output y: Tensor, grad: Tensor) -> Tensor {
        zip(y, grad, TanhDerivative())
    }

    /// Σ x in Double (see `sum(_:count:)`).
    package static func sum(_ x: Tensor) -> Double {
        sum(x.pointer, count: x.count)
    }

    // MARK: Pointer kernels

    package static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           _ out: UnsafeMutablePointer<Float>, count: Int) {
        binary(AddOperation.self, a, b, out, count: count)
    }

    package static func subtract(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                _ out: UnsafeMutablePointer<Float>, count: Int) {
        binary(SubtractOperation.self, a, b, out, count: count)
    }

    package static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                _ out: UnsafeMutablePointer<Float>, count: Int) {
        binary(MultiplyOperation.self, a, b, out, count: count)
    }

    /// out = x · scale + shift.
    package static func affine(_ x: UnsafePointer<Float>, scale: Float, shift: Float,
                              _ out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            let v = load(x + i)
            store(v * scale + shift, out + i)
            i &+= 8
        }
        while i < count { out[i] = x[i] * scale + shift; i &+= 1 }
    }

    /// Σ x accumulated without losing accuracy on long arrays: Float SIMD lanes over blocks of
    /// 64 elements (8 terms per lane), block totals added in Double. Deterministic: the result
    /// does not depend on the number of cores.
    package static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let x = x
        return blockedSum(count: count) { range in sumRange(PlainSummand.self, x, x, range) }
    }

    /// Σ a·b, accumulated like `sum`.
    package static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Double {
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (a, b) = (a, b)
        return blockedSum(count: count) { range in sumRange(ProductSummand.self, a, b, range) }
    }

    /// Σ over `range` of S(a, b), single-threaded, Float lanes per 64-element block, Double total.
    @inline(__always)
    static func sumRange<S: Summand>(_: S.Type, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                     _ range: Range<Int>) -> Double {
        var total = 0.0
        var i = range.lowerBound
        while i &+ 64 <= range.upperBound {
            var acc = S.load(a, b, i)
            var k = 8
            while k < 64 { acc += S.load(a, b, i &+ k); k &+= 8 }
            total += Double(acc.sum())
            i &+= 64
        }
        var rest: Float = 0
        while i < range.upperBound { rest += S.scalar(a, b, i); i &+= 1 }
        return total + Double(rest)
    }

    /// Splits `0..<count` into fixed chunks (independent of the core count, so sums are
    /// reproducible), sums the chunks concurrently and adds the chunk totals in order.
    static func blockedSum(count: Int, chunk: Int = 16_384,
                           _ partial: @Sendable (Range<Int>) -> Double) -> Double {
        let chunks = (count + chunk - 1) / chunk
        guard chunks > 1 else { return count > 0 ? partial(0..<count) : 0 }
        var totals = [Double](repeating: 0, count: chunks)
        totals.withUnsafeMutableBufferPointer { buffer in
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let out = buffer.baseAddress!
            Parallel.forRanges(chunks, minimumPerTask: 2) { chunkRange in
                for c in chunkRange {
                    out[c] = partial((c * chunk)..<min(count, (c + 1) * chunk))
                }
            }
        }
        return totals.reduce(0, +)
    }

    // MARK: Loss kernels (d = prediction − target)

    /// The per-element penalties of the regression losses.
    package enum Penalty: Sendable {
        /// d²
        case squared
        /// |d|
        case absolute
        /// |d| + d²
        case absolutePlusSquared
    }

    /// Σ penalty(prediction − target) in Double (blocked like `sum`).
    package static func penaltySum(_ penalty: Penalty, _ prediction: Tensor, _ target: Tensor) -> Double {
        precondition(prediction.count == target.count,
                     "penaltySum: shape \(prediction.shape) does not match \(target.shape)")
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let p = prediction.pointer, t = target.pointer
        return blockedSum(count: prediction.count) { range in
            switch penalty {
            case .squared: return sumRange(SquaredSummand.self, p, t, range)
            case .absolute: return sumRange(AbsoluteSummand.self, p, t, range)
            case .absolutePlusSquared: return sumRange(AbsolutePlusSquaredSummand.self, p, t, range)
            }
        }
    }

    /// scale · penalty′(prediction − target), where |d|′ = sign(d) with sign(0) = 0 (as PyTorch).
    package static func penaltyGradient(_ penalty: Penalty, _ prediction: Tensor, _ target: Tensor,
                                       scale: Float) -> Tensor {
        switch penalty {
        case .squared:
            return zip(prediction, target, SquaredDerivative(scale: scale))
        case .absolute:
            return zip(prediction, target, AbsoluteDerivative(scale: scale))
        case .absolutePlusSquared:
            return zip(prediction, target, AbsolutePlusSquaredDerivative(scale: scale))
        }
    }

    /// -1, 0 or 1 per lane.
    @inline(__always)
    static func sign(_ d: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>(repeating: 0).replacing(with: 1, where: d .> 0).replacing(with: -1, where: d .< 0)
    }

    @inline(__always)
    static func magnitude(_ d: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast(unsafeBitCast(d, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
    }

    // MARK: Helpers

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// out[i] = a[i] ⊕ b[i]. `out` may alias `a` or `b` (each element is read before written).
    @inline(__always)
    static func binary<Op: BinaryOperation>(_: Op.Type, _ a: UnsafePointer<Float>,
                                            _ b: UnsafePointer<Float>,
                                            _ out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 16 <= count {
            let r0 = Op.apply(load(a + i), load(b + i))
            let r1 = Op.apply(load(a + (i &+ 8)), load(b + (i &+ 8)))
            store(r0, out + i)
            store(r1, out + (i &+ 8))
            i &+= 16
        }
        while i &+ 8 <= count {
            store(Op.apply(load(a + i), load(b + i)), out + i)
            i &+= 8
        }
        while i < count { out[i] = Op.apply(a[i], b[i]); i &+= 1 }
    }

    /// out[i] = a[i] ⊕ s.
    @inline(__always)
    static func binary<Op: BinaryOperation>(_: Op.Type, _ a: UnsafePointer<Float>, scalar s: Float,
                                            _ out: UnsafeMutablePointer<Float>, count: Int) {
        let sv = SIMD8<Float>(repeating: s)
        var i = 0
        while i &+ 8 <= count {
            store(Op.apply(load(a + i), sv), out + i)
            i &+= 8
        }
        while i < count { out[i] = Op.apply(a[i], s); i &+= 1 }
    }

    /// out[i] = s ⊕ b[i].
    @inline(__always)
    static func binary<Op: BinaryOperation>(_: Op.Type, scalar s: Float, _ b: UnsafePointer<Float>,
                                            _ out: UnsafeMutablePointer<Float>, count: Int) {
        let sv = SIMD8<Float>(repeating: s)
        var i = 0
        while i &+ 8 <= count {
            store(Op.apply(sv, load(b + i)), out + i)
            i &+= 8
        }
        while i < count { out[i] = Op.apply(s, b[i]); i &+= 1 }
    }

    /// A fresh tensor of x's shape filled by a buffer kernel, split over the cores.
    @inline(__always)
    static func map(_ x: Tensor,
                    _ kernel: @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let src = x.pointer, dst = out.mutablePointer
        Parallel.forRanges(x.count, minimumPerTask: computeBoundGrain) { range in
            kernel(src + range.lowerBound, dst + range.lowerBound, range.count)
        }
        return out
    }

    /// A fresh tensor with out[i] = f(a[i], b[i]) for equal-sized a, b. `f` is a type, not a
    /// closure: closures passed to loops were not inlined in release builds.
    @inline(__always)
    static func zip<F: PairFunction>(_ a: Tensor, _ b: Tensor, _ f: F) -> Tensor {
        precondition(a.count == b.count, "Elementwise.zip: shape \(a.shape) does not match \(b.shape)")
        let out = Tensor(uninitializedShape: a.shape)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let pa = a.pointer, pb = b.pointer, po = out.mutablePointer
        let count = a.count
        Parallel.forRanges(count, minimumPerTask: memoryBoundGrain) { range in
            var i = range.lowerBound
            while i &+ 8 <= range.upperBound {
                store(f.apply(load(pa + i), load(pb + i)), po + i)
                i &+= 8
            }
            let rest = range.upperBound &- i
            if rest > 0 {
                // Tail through the same SIMD8 code on a zero-padded vector.
                var va = SIMD8<Float>(), vb = SIMD8<Float>()
                for lane in 0..<rest { va[lane] = pa[i &+ lane]; vb[lane] = pb[i &+ lane] }
                let r = f.apply(va, vb)
                for lane in 0..<rest { po[i &+ lane] = r[lane] }
            }
        }
        return out
    }
}

/// A binary operator as a type, so that generic loops specialise on it in release builds.
protocol BinaryOperation {
    static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
    static func apply(_ a: Float, _ b: Float) -> Float
}

enum AddOperation: BinaryOperation {
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a + b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}

enum SubtractOperation: BinaryOperation {
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a - b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}

enum MultiplyOperation: BinaryOperation {
    @inline(__always) static func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a * b }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}

/// What a reduction adds up at index i: a[i] (plain) or a[i]·b[i] (product), as a type so that
/// the reduction loops specialise on it.
protocol Summand {
    static func load(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float>
    static func scalar(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> Float
}

enum PlainSummand: Summand {
    @inline(__always)
    static func load(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        Elementwise.load(a + i)
    }
    @inline(__always)
    static func scalar(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> Float { a[i] }
}

enum ProductSummand: Summand {
    @inline(__always)
    static func load(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        Elementwise.load(a + i) * Elementwise.load(b + i)
    }
    @inline(__always)
    static func scalar(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> Float {
        a[i] * b[i]
    }
}

enum SquaredSummand: Summand {
    @inline(__always)
    static func load(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        let d = Elementwise.load(a + i) - Elementwise.load(b + i)
        return d * d
    }
    @inline(__always)
    static func scalar(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> Float {
        let d = a[i] - b[i]
        return d * d
    }
}

enum AbsoluteSummand: Summand {
    @inline(__always)
    static func load(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        Elementwise.magnitude(Elementwise.load(a + i) - Elementwise.load(b + i))
    }
    @inline(__always)
    static func scalar(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> Float {
        abs(a[i] - b[i])
    }
}

enum AbsolutePlusSquaredSummand: Summand {
    @inline(__always)
    static func load(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
        let d = Elementwise.load(a + i) - Elementwise.load(b + i)
        return Elementwise.magnitude(d) + d * d
    }
    @inline(__always)
    static func scalar(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ i: Int) -> Float {
        let d = a[i] - b[i]
        return abs(d) + d * d
    }
}

/// An element-wise function of two arrays, as a type so that `zip` specialises on it.
protocol PairFunction: Sendable {
    func apply(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float>
}

/// (x, g) ↦ g where x ≥ 0, slope · g elsewhere (NaN included, as the scalar rule)
struct LeakyReLUDerivative: PairFunction {
    let negativeSlope: Float
    @inline(__always) func apply(_ x: SIMD8<Float>, _ g: SIMD8<Float>) -> SIMD8<Float> {
        (negativeSlope * g).replacing(with: g, where: x .>= 0)
    }
}

/// (y, g) ↦ g · y · (1 − y)
struct SigmoidDerivative: PairFunction {
    @inline(__always) func apply(_ y: SIMD8<Float>, _ g: SIMD8<Float>) -> SIMD8<Float> { g * y * (1 - y) }
}

/// (y, g) ↦ g · (1 − y²)
struct TanhDerivative: PairFunction {
    @inline(__always) func apply(_ y: SIMD8<Float>, _ g: SIMD8<Float>) -> SIMD8<Float> { g * (1 - y * y) }
}

/// (p, t) ↦ scale · 2d
struct SquaredDerivative: PairFunction {
    let scale: Float
    @inline(__always) func apply(_ p: SIMD8<Float>, _ t: SIMD8<Float>) -> SIMD8<Float> {
        (p - t) * (2 * scale)
    }
}

/// (p, t) ↦ scale · sign(d)
struct AbsoluteDerivative: PairFunction {
    let scale: Float
    @inline(__always) func apply(_ p: SIMD8<Float>, _ t: SIMD8<Float>) -> SIMD8<Float> {
        Elementwise.sign(p - t) * scale
    }
}

/// (p, t) ↦ scale · (sign(d) + 2d)
struct AbsolutePlusSquaredDerivative: PairFunction {
    let scale: Float
    @inline(__always) func apply(_ p: SIMD8<Float>, _ t: SIMD8<Float>) -> SIMD8<Float> {
        let d = p - t
        return (Elementwise.sign(d) + d * 2) * scale
    }
}
