#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-frame pixel kernels on raw pointers. A frame is `height · width · channels` contiguous
/// values, channels last. Sums run in Float SIMD lanes over short blocks and are added up in
/// Double, so a frame's sum keeps ~7 significant digits whatever its size.
public enum PixelMetrics {
    typealias Lanes = SIMD8<Float>
    static let block = 256

    // MARK: MSE / MAE

    /// Writes the prediction clipped to [0, 1] into `clipped` and returns Σ(t − p̂)² and Σ|t − p̂|
    /// with p̂ the clipped prediction. The clip keeps NaN (so the error sums turn NaN and the
    /// caller can report it) and maps ±∞ to 1 / 0.
    public static func clipAndErrorSums(truth t: UnsafePointer<Float>, prediction p: UnsafePointer<Float>,
                                        clipped out: UnsafeMutablePointer<Float>,
                                        count: Int) -> (squared: Double, absolute: Double) {
        var squared = 0.0, absolute = 0.0
        var i = 0
        while i < count {
            let end = min(count, i &+ block)
            var sq = Lanes(), ab = Lanes()
            while i &+ 8 <= end {
                let c = clip(load(p + i))
                store(c, out + i)
                let d = load(t + i) - c
                sq += d * d
                ab += magnitude(d)
                i &+= 8
            }
            var sqTail: Float = 0, abTail: Float = 0
            while i < end {
                let c = clip(p[i])
                out[i] = c
                let d = t[i] - c
                sqTail += d * d
                abTail += Swift.abs(d)
                i &+= 1
            }
            squared += Double(sq.sum() + sqTail)
            absolute += Double(ab.sum() + abTail)
        }
        return (squared, absolute)
    }

    /// PSNR in dB of a frame from its mean squared error on [0, 1] data, 10·log10(1 / mse),
    /// capped at `psnrCap` (a perfect frame, mse = 0, scores the cap instead of +∞).
    public static func psnr(meanSquaredError mse: Double) -> Double {
        guard mse.isFinite else { return mse }
        return mse > 0 ? Swift.min(psnrCap, -10 * log10(mse)) : psnrCap
    }

    /// The largest PSNR a frame can score, in dB.
    public static let psnrCap = 100.0

    // MARK: GDL

    /// GDL of one frame: Σ| |∂y t| − |∂y p| | + Σ| |∂x t| − |∂x p| | with one-pixel forward
    /// differences ((h−1)·w·c vertical terms, h·(w−1)·c horizontal ones), per channel.
    public static func gradientDifference(truth t: UnsafePointer<Float>, prediction p: UnsafePointer<Float>,
                                          height: Int, width: Int, channels: Int) -> Double {
        let row = width &* channels
        var total = 0.0
        if height > 1 {
            for r in 0..<(height - 1) {
                let here = r &* row, below = here &+ row
                total += differenceTerms(t + here, t + below, p + here, p + below, count: row)
            }
        }
        if width > 1 {
            // One contiguous pass over all horizontal neighbours, then take out the pairs that
            // wrap from the end of a row to the start of the next.
            total += differenceTerms(t, t + channels, p, p + channels, count: height &* row &- channels)
            for r in 1..<max(height, 1) {
                let end = r &* row &- channels
                total -= differenceTerms(t + end, t + end + channels, p + end, p + end + channels,
                                         count: channels)
            }
        }
        return total
    }

    /// Σ | |a1 − a0| − |b1 − b0| | over `count` elements.
    static func differenceTerms(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>,
                                _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>,
                                count: Int) -> Double {
        var total = 0.0
        var i = 0
        while i < count {
            let end = min(count, i &+ block)
            var acc = Lanes()
            while i &+ 8 <= end {
                acc += magnitude(magnitude(load(a1 + i) - load(a0 + i)) - magnitude(load(b1 + i) - load(b0 + i)))
                i &+= 8
            }
            var tail: Float = 0
            while i < end {
                tail += Swift.abs(Swift.abs(a1[i] - a0[i]) - Swift.abs(b1[i] - b0[i]))
                i &+= 1
            }
            total += Double(acc.sum() + tail)
        }
        return total
    }

    // MARK: 8-bit view

    /// dst[i] = round(clip(src[i · stride], 0, 1) · 255) for i < count (see `Quantize.byte`).
    public static func quantize(_ src: UnsafePointer<Float>, stride: Int,
                                into dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        if stride == 1 {
            while i &+ 8 <= count {
                store(floor(clipDroppingNaN(load(src + i)) * 255 + 0.5), dst + i)
                i &+= 8
            }
        }
        while i < count {
            dst[i] = Quantize.byte(src[i &* stride])
            i &+= 1
        }
    }

    // MARK: CSI / FAR

    /// Adds to `counts` (hits, misses, false alarms for each threshold, in that order) the events
    /// of one frame: a pixel is an event when scale·v + offset ≥ threshold (dBZ). `t` and `p`
    /// are already in the rule's domain (8-bit pixels for a quantized rule, clipped values
    /// otherwise).
    public static func countEvents(truth t: UnsafePointer<Float>, prediction p: UnsafePointer<Float>,
                                   count: Int, scale: Float, offset: Float, thresholds: [Float],
                                   into counts: UnsafeMutablePointer<Int>) {
        let a = Lanes(repeating: scale), b = Lanes(repeating: offset)
        let one = SIMD8<Int32>(repeating: 1), zero = SIMD8<Int32>()
        for (k, threshold) in thresholds.enumerated() {
            let level = Lanes(repeating: threshold)
            var hits = SIMD8<Int32>(), misses = SIMD8<Int32>(), falseAlarms = SIMD8<Int32>()
            var i = 0
            while i &+ 8 <= count {
                let observed = a * load(t + i) + b .>= level
                let forecast = a * load(p + i) + b .>= level
                hits &+= zero.replacing(with: one, where: observed .& forecast)
                misses &+= zero.replacing(with: one, where: observed .& .!forecast)
                falseAlarms &+= zero.replacing(with: one, where: .!observed .& forecast)
                i &+= 8
            }
            var h = Int(hits.wrappedSum()), m = Int(misses.wrappedSum()), f = Int(falseAlarms.wrappedSum())
            while i < count {
                let observed = scale * t[i] + offset >= threshold
                let forecast = scale * p[i] + offset >= threshold
                if observed && forecast { h &+= 1 } else if observed { m &+= 1 } else if forecast { f &+= 1 }
                i &+= 1
            }
            counts[3 &* k] &+= h
            counts[3 &* k &+ 1] &+= m
            counts[3 &* k &+ 2] &+= f
        }
    }

    // MARK: SIMD helpers

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always) static func store(_ v: Lanes, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }

    /// |v| by clearing the sign bits (one `andps`; a compare-and-select compiles far worse).
    @inline(__always) static func magnitude(_ v: Lanes) -> Lanes {
        unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & 0x7fff_ffff, to: Lanes.self)
    }

    /// Clip to [0, 1] that lets NaN through (comparisons with NaN are false).
    @inline(__always) static func clip(_ v: Lanes) -> Lanes {
        v.replacing(with: 0, where: v .< 0).replacing(with: 1, where: v .> 1)
    }

    @inline(__always) static func clip(_ x: Float) -> Float {
        x < 0 ? 0 : (x > 1 ? 1 : x)
    }

    /// ⌊z⌋ for 0 ≤ z < 2^22 with plain SSE2 arithmetic: adding and removing 2^23 rounds to the
    /// nearest integer; step back one where that rounded up. (Swift's SIMD float → int
    /// conversions are not vectorised and cost more than all the rest of a frame's metrics.)
    @inline(__always) static func floor(_ z: Lanes) -> Lanes {
        let magic = Lanes(repeating: 8_388_608)
        let nearest = (z + magic) - magic
        return nearest.replacing(with: nearest - 1, where: nearest .> z)
    }

    /// Clip to [0, 1] that maps NaN to 0, for conversions to integers.
    @inline(__always) static func clipDroppingNaN(_ v: Lanes) -> Lanes {
        v.replacing(with: 0, where: .!(v .>= 0)).replacing(with: 1, where: v .> 1)
    }
}
