/// Mean SSIM of one channel plane, exactly as scikit-image's
/// `structural_similarity(x, y, win_size=7, data_range=255)` with its defaults (uniform window,
/// K1 = 0.01, K2 = 0.03, sample covariance N/(N−1), mean over the valid interior: the windows that
/// lie wholly inside the frame, i.e. a crop of 3 pixels on each side).
///
/// Inputs are 8-bit pixel values (integers 0…255 stored as Float). Every window sum of x, x², xy
/// is then an integer below 2^24, so the separable box sums are exact in Float: a running sum
/// over 7 rows (one add and one subtract per column and row step, SIMD across the row), then
/// 7-tap sums along the row fused with the per-window formula. That formula runs in Double on the
/// exact sums, written so that the variances come from integer differences (N·Σx² − (Σx)²)
/// instead of the cancelling difference of means.
public enum StructuralSimilarity {
    public static let window = 7
    static let k1 = 0.01, k2 = 0.03, dataRange = 255.0
    typealias Lanes = PixelMetrics.Lanes
    typealias Wide = SIMD4<Double>

    /// Scratch Floats `meanSSIM` needs for a plane `width` wide.
    public static func scratchCount(height: Int, width: Int) -> Int { 10 * width }

    /// Mean SSIM over the valid 7×7 windows of planes `x` and `y` (height × width, row-major).
    public static func meanSSIM(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                height: Int, width: Int,
                                scratch: UnsafeMutablePointer<Float>) -> Double {
        precondition(height >= window && width >= window,
                     "StructuralSimilarity: plane \(height)×\(width) is smaller than the \(window)×\(window) window")
        let outW = width - window + 1, outH = height - window + 1
        // Column sums over the current 7 rows: Σx, Σy, Σx², Σy², Σxy, each `width` long.
        let sums = ColumnSums(scratch, width: width)
        let windowSums = ColumnSums(scratch + 5 &* width, width: width)
        scratch.update(repeating: 0, count: 5 * width)
        for r in 0..<window { sums.add(x + r &* width, y + r &* width) }

        var total = 0.0
        for i in 0..<outH {
            if i > 0 {
                let added = (i &+ window &- 1) &* width, removed = (i &- 1) &* width
                sums.slide(add: x + added, y + added, remove: x + removed, y + removed)
            }
            total += rowOfWindows(sums, count: outW, windowSums: windowSums)
        }
        return total / Double(outH * outW)
    }

    /// The five running column sums, `width` Floats each, one after another in `base`.
    struct ColumnSums {
        let x, y, xx, yy, xy: UnsafeMutablePointer<Float>
        let width: Int

        init(_ base: UnsafeMutablePointer<Float>, width: Int) {
            self.width = width
            x = base; y = base + width; xx = y + width; yy = xx + width; xy = yy + width
        }

        /// Adds one row of x and y.
        @inline(__always) func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) {
            var j = 0
            while j &+ 8 <= width {
                let u = PixelMetrics.load(a + j), v = PixelMetrics.load(b + j)
                update(j, u, v, u * u, v * v, u * v)
                j &+= 8
            }
            while j < width {
                let u = a[j], v = b[j]
                x[j] += u; y[j] += v; xx[j] += u * u; yy[j] += v * v; xy[j] += u * v
                j &+= 1
            }
        }

        /// Adds one row and removes another (exact: all values are integers below 2^24).
        @inline(__always) func slide(add a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                     remove c: UnsafePointer<Float>, _ d: UnsafePointer<Float>) {
            var j = 0
            while j &+ 8 <= width {
                let u = PixelMetrics.load(a + j), v = PixelMetrics.load(b + j)
                let s = PixelMetrics.load(c + j), t = PixelMetrics.load(d + j)
                update(j, u - s, v - t, u * u - s * s, v * v - t * t, u * v - s * t)
                j &+= 8
            }
            while j < width {
                let u = a[j], v = b[j], s = c[j], t = d[j]
                x[j] += u - s; y[j] += v - t
                xx[j] += u * u - s * s; yy[j] += v * v - t * t; xy[j] += u * v - s * t
                j &+= 1
            }
        }

        @inline(__always) func update(_ j: Int, _ dx: Lanes, _ dy: Lanes, _ dxx: Lanes, _ dyy: Lanes, _ dxy: Lanes) {
            PixelMetrics.store(PixelMetrics.load(x + j) + dx, x + j)
            PixelMetrics.store(PixelMetrics.load(y + j) + dy, y + j)
            PixelMetrics.store(PixelMetrics.load(xx + j) + dxx, xx + j)
            PixelMetrics.store(PixelMetrics.load(yy + j) + dyy, yy + j)
            PixelMetrics.store(PixelMetrics.load(xy + j) + dxy, xy + j)
        }
    }

    static let n = Double(window * window)
    /// C1·N² and C2·N(N−1): the constants once the formula is multiplied through by N², N(N−1).
    static let c1 = (k1 * dataRange) * (k1 * dataRange) * n * n
    static let c2 = (k2 * dataRange) * (k2 * dataRange) * n * (n - 1)

    /// Σ of SSIM over the `count` windows whose columns start at 0..<count, given the column
    /// sums of their 7 rows; `windowSums` receives the 7-wide sums along the row first (two
    /// simple loops vectorise far better than one that keeps ten SIMD sums live).
    @inline(__always)
    static func rowOfWindows(_ s: ColumnSums, count: Int, windowSums w: ColumnSums) -> Double {
        sevenTap(s.x, w.x, count: count); sevenTap(s.y, w.y, count: count)
        sevenTap(s.xx, w.xx, count: count); sevenTap(s.yy, w.yy, count: count)
        sevenTap(s.xy, w.xy, count: count)
        var acc = Wide()
        var j = 0
        while j &+ 4 <= count {
            acc += windows(wide(w.x + j), wide(w.y + j), wide(w.xx + j), wide(w.yy + j), wide(w.xy + j))
            j &+= 4
        }
        var total = acc.sum()
        while j < count {
            total += windows(Wide(repeating: Double(w.x[j])), Wide(repeating: Double(w.y[j])),
                             Wide(repeating: Double(w.xx[j])), Wide(repeating: Double(w.yy[j])),
                             Wide(repeating: Double(w.xy[j])))[0]
            j &+= 1
        }
        return total
    }

    /// dst[j] = Σ_{k<7} src[j + k] for j < count.
    @inline(__always)
    static func sevenTap(_ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j &+ 8 <= count {
            let a = src + j
            let sum = (PixelMetrics.load(a) + PixelMetrics.load(a + 1)) + (PixelMetrics.load(a + 2) + PixelMetrics.load(a + 3))
                + (PixelMetrics.load(a + 4) + PixelMetrics.load(a + 5)) + PixelMetrics.load(a + 6)
            PixelMetrics.store(sum, dst + j)
            j &+= 8
        }
        while j < count {
            let a = src + j
            dst[j] = (a[0] + a[1]) + (a[2] + a[3]) + (a[4] + a[5]) + a[6]
            j &+= 1
        }
    }

    @inline(__always) static func wide(_ p: UnsafeMutablePointer<Float>) -> Wide {
        let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
        return Wide(Double(v[0]), Double(v[1]), Double(v[2]), Double(v[3]))
    }

    /// SSIM of windows from their sums:
    /// S = (2ux·uy + C1)(2vxy + C2) / ((ux² + uy² + C1)(vx + vy + C2)), scaled through by N², N(N−1).
    @inline(__always)
    static func windows(_ sx: Wide, _ sy: Wide, _ sxx: Wide, _ syy: Wide, _ sxy: Wide) -> Wide {
        let p = sx * sy, q = sx * sx + sy * sy
        let numerator = (2 * p + c1) * (2 * (n * sxy - p) + c2)
        let denominator = (q + c1) * (n * (sxx + syy) - q + c2)
        return numerator / denominator
    }
}
