/// Vectorised exp, sigmoid and tanh in Float32, written with plain SIMD arithmetic (no FMA, no
/// library calls) so they vectorise on baseline x86-64 and give the same bits on every machine.
///
/// `@_transparent` (mandatory inlining) rather than `@inline(__always)`: in the Engine module
/// the optimiser left `exp` as a call inside the sigmoid and tanh loops, at ~40% of their speed.
///
/// The scalar versions repeat the vector code's operations in the same order, so a fused kernel's
/// tail elements get exactly the values its SIMD body would have given them (the tests check it).
///
/// Accuracy against Foundation in Double (see FastMathTests for the measured numbers):
/// exp ≈ 1–2 ulp relative on [-87, 88]; sigmoid and tanh ≤ 3e-7 absolute everywhere, tanh also
/// ≈ 2 ulp relative near 0. No inf or NaN for any finite or infinite input (NaN stays NaN).
public enum FastMath {
    // MARK: Constants (Cephes expf / tanhf)

    /// exp(upper) ≈ 2^127.49 < Float.greatestFiniteMagnitude, so 2^n never overflows.
    @usableFromInline static let expUpper: Float = 88.37626
    /// Below ln(2^-126) the result would be subnormal: returned as exactly 0.
    @usableFromInline static let expLower: Float = -87.33654
    @usableFromInline static let log2e: Float = 1.44269504088896341
    /// ln 2 split in two so that n·ln2 is subtracted without rounding error (Cody–Waite).
    @usableFromInline static let ln2High: Float = 0.693359375
    @usableFromInline static let ln2Low: Float = -2.12194440e-4
    /// 1.5·2^23: adding it rounds to an integer held in the low mantissa bits (SSE2 has no round).
    @usableFromInline static let roundingMagic: Float = 12_582_912
    @usableFromInline static let p0: Float = 1.9875691500e-4
    @usableFromInline static let p1: Float = 1.3981999507e-3
    @usableFromInline static let p2: Float = 8.3334519073e-3
    @usableFromInline static let p3: Float = 4.1665795894e-2
    @usableFromInline static let p4: Float = 1.6666665459e-1
    @usableFromInline static let p5: Float = 5.0000001201e-1
    /// tanh: odd polynomial below this |x|; 1 − 2/(e^{2|x|} + 1) above (no cancellation there).
    @usableFromInline static let tanhSmall: Float = 0.625
    @usableFromInline static let t0: Float = -5.70498872745e-3
    @usableFromInline static let t1: Float = 2.06390887954e-2
    @usableFromInline static let t2: Float = -5.37397155531e-2
    @usableFromInline static let t3: Float = 1.33314422036e-1
    @usableFromInline static let t4: Float = -3.33332819422e-1
    /// tanh(x) rounds to 1 in Float32 from x ≈ 9.01 on; clamping keeps e^{2|x|} small.
    @usableFromInline static let tanhClamp: Float = 10

    // MARK: SIMD8

    @inlinable @_transparent
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Comparisons + selects (not pointwiseMin) so a NaN input stays NaN and codegen stays SIMD.
        var v = x.replacing(with: expUpper, where: x .> expUpper)
        let underflow = v .< expLower
        v.replace(with: expLower, where: underflow)
        // n = round(v·log2e) via the magic constant; its integer sits in the low bits.
        let shifted = v * log2e + roundingMagic
        let n = shifted - roundingMagic
        let nBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self)
            &- unsafeBitCast(SIMD8<Float>(repeating: roundingMagic), to: SIMD8<Int32>.self)
        let r = (v - n * ln2High) - n * ln2Low
        let r2 = r * r
        var p = p0 * r + p1
        p = p * r + p2
        p = p * r + p3
        p = p * r + p4
        p = p * r + p5
        p = (p * r2 + r) + 1
        // 2^n from the exponent field; n ∈ [-126, 127] after the clamps.
        let scale = unsafeBitCast((nBits &+ 127) &<< 23, to: SIMD8<Float>.self)
        return (p * scale).replacing(with: 0, where: underflow)
    }

    /// No clamp needed: exp(−x) is 0 for x → +∞ and finite (≤ 2.4e38) for x → −∞.
    @inlinable @_transparent
    public static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-x))
    }

    @inlinable @_transparent
    public static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let signBit = SIMD8<UInt32>(repeating: 0x8000_0000)
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        var a = unsafeBitCast(bits & ~signBit, to: SIMD8<Float>.self)
        a.replace(with: tanhClamp, where: a .> tanhClamp)
        // Small |x|: x + x³·P(x²).
        let z = a * a
        var p = t0 * z + t1
        p = p * z + t2
        p = p * z + t3
        p = p * z + t4
        let small = (p * z) * a + a
        // Large |x|.
        let large = 1 - 2 / (exp(a + a) + 1)
        let magnitude = large.replacing(with: small, where: a .< tanhSmall)
        // Restore the sign (NaN inputs stay NaN through the arithmetic above).
        return unsafeBitCast(unsafeBitCast(magnitude, to: SIMD8<UInt32>.self) | (bits & signBit),
                             to: SIMD8<Float>.self)
    }

    // MARK: Scalar (same operations, same order as the SIMD8 versions)

    @inlinable @_transparent
    public static func exp(_ x: Float) -> Float {
        var v = x > expUpper ? expUpper : x
        let underflow = v < expLower
        if underflow { v = expLower }
        let shifted = v * log2e + roundingMagic
        let n = shifted - roundingMagic
        let nBits = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: roundingMagic.bitPattern)
        let r = (v - n * ln2High) - n * ln2Low
        let r2 = r * r
        var p = p0 * r + p1
        p = p * r + p2
        p = p * r + p3
        p = p * r + p4
        p = p * r + p5
        p = (p * r2 + r) + 1
        let scale = Float(bitPattern: UInt32(bitPattern: (nBits &+ 127) &<< 23))
        return underflow ? 0 : p * scale
    }

    @inlinable @_transparent
    public static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }

    @inlinable @_transparent
    public static func tanh(_ x: Float) -> Float {
        let bits = x.bitPattern
        var a = Float(bitPattern: bits & 0x7FFF_FFFF)
        if a > tanhClamp { a = tanhClamp }
        let z = a * a
        var p = t0 * z + t1
        p = p * z + t2
        p = p * z + t3
        p = p * z + t4
        let small = (p * z) * a + a
        let large = 1 - 2 / (exp(a + a) + 1)
        let magnitude = a < tanhSmall ? small : large
        return Float(bitPattern: magnitude.bitPattern | (bits & 0x8000_0000))
    }

    // MARK: Buffers (single-threaded; `output` may be `input` for in-place use)

    public static func exp(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                           count: Int) {
        map(ExpFunction.self, input, output, count)
    }

    public static func sigmoid(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                               count: Int) {
        map(SigmoidFunction.self, input, output, count)
    }

    public static func tanh(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                            count: Int) {
        map(TanhFunction.self, input, output, count)
    }

    /// Applies a SIMD8 function over a buffer. The tail (count % 8) goes through the same SIMD8
    /// function on a zero-padded vector, so every element gets identical arithmetic.
    /// Generic over a type (not a closure) so that release builds specialise and inline it.
    @inline(__always)
    static func map<F: VectorFunction>(_: F.Type, _ input: UnsafePointer<Float>,
                                       _ output: UnsafeMutablePointer<Float>, _ count: Int) {
        var i = 0
        while i &+ 8 <= count {
            let v = UnsafeRawPointer(input + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(output + i).storeBytes(of: F.apply(v), as: SIMD8<Float>.self)
            i &+= 8
        }
        let rest = count &- i
        guard rest > 0 else { return }
        var v = SIMD8<Float>()
        for lane in 0..<rest { v[lane] = input[i &+ lane] }
        let result = F.apply(v)
        for lane in 0..<rest { output[i &+ lane] = result[lane] }
    }
}

/// A SIMD8 function, as a type so that generic loops specialise on it.
protocol VectorFunction {
    static func apply(_ x: SIMD8<Float>) -> SIMD8<Float>
}

enum ExpFunction: VectorFunction {
    @inline(__always) static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { FastMath.exp(x) }
}

enum SigmoidFunction: VectorFunction {
    @inline(__always) static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { FastMath.sigmoid(x) }
}

enum TanhFunction: VectorFunction {
    @inline(__always) static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { FastMath.tanh(x) }
}
