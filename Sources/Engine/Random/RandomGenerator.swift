import Foundation

/// A seeded, platform-independent random number generator (xoshiro256**, seeded through
/// SplitMix64 as its authors recommend). Its whole state is four words, which checkpoints save
/// (`state`) and restore (`init(state:)`) so that a resumed run draws exactly the same numbers.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    public struct InvalidState: Error, CustomStringConvertible {
        public let state: [UInt64]
        public var description: String {
            "RandomGenerator: invalid state \(state) (needs 4 words, not all zero)"
        }
    }

    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        // SplitMix64 spreads any seed (0 included) over the 256-bit state; never all zero.
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    /// The exact generator state, to save in a checkpoint.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// Resumes from a saved `state`; the stream continues exactly where it was saved.
    public init(state: [UInt64]) throws {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else {
            throw InvalidState(state: state)
        }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// Uniform in [0, 1) on the 2⁻²⁴ grid (every value exactly representable as a Float).
    @inline(__always)
    public mutating func unitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Uniform in [low, high).
    @inline(__always)
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * unitFloat()
    }

    /// One normal draw (Box–Muller; the second value of the pair is dropped so that the state
    /// stays the four words above).
    public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
        mean + std * Float(standardNormalPair().0)
    }

    /// Two independent standard normal values from two uniforms (computed in Double).
    @inline(__always)
    mutating func standardNormalPair() -> (Double, Double) {
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = Double((next() >> 11) &+ 1) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (radius * Foundation.cos(angle), radius * Foundation.sin(angle))
    }

    @inline(__always)
    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 &- k))
    }
}

extension Tensor {
    /// Values drawn uniformly from [low, high), in row-major order.
    public static func uniform(shape: [Int], low: Float, high: Float,
                               using generator: inout RandomGenerator) -> Tensor {
        let tensor = Tensor(uninitializedShape: shape)
        let values = tensor.mutablePointer
        for i in 0..<tensor.count { values[i] = generator.uniform(low, high) }
        return tensor
    }

    /// Values drawn from N(mean, std²), in row-major order (both values of each Box–Muller
    /// pair are used).
    public static func normal(shape: [Int], mean: Float = 0, std: Float = 1,
                              using generator: inout RandomGenerator) -> Tensor {
        let tensor = Tensor(uninitializedShape: shape)
        let values = tensor.mutablePointer
        var i = 0
        while i < tensor.count {
            let (a, b) = generator.standardNormalPair()
            values[i] = mean + std * Float(a)
            if i + 1 < tensor.count { values[i + 1] = mean + std * Float(b) }
            i += 2
        }
        return tensor
    }
}
