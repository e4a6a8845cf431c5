/// LayerNorm on raw tensors: each of the `x.count / groupSize` samples (contiguous groups of
/// `groupSize` values, i.e. the trailing dims) is normalised by its own mean and biased variance,
/// then scaled and shifted element-wise by weight and bias of `groupSize` values.
///
/// Statistics are accumulated in Double from Float SIMD blocks, with a corrected two-pass
/// variance, so they stay accurate for large groups and inputs far from zero.
package enum LayerNormKernels {
    /// Per sample: x̂ = (x − mean) · inverseStd + shift. `mean` is the Float nearest the exact
    /// mean and `shift` = −(exact mean − mean) · inverseStd corrects for its rounding, which
    /// matters when the mean is large compared with the spread.
    package struct Statistics: Sendable {
        package var mean: [Float]
        /// 1 / sqrt(biased variance + epsilon)
        package var inverseStd: [Float]
        package var shift: [Float]
    }

    package static func forward(_ x: Tensor, weight: Tensor?, bias: Tensor?, groupSize: Int,
                               epsilon: Float) -> (output: Tensor, statistics: Statistics) {
        let d = groupSize
        precondition(d > 0 && x.count % d == 0, "layerNorm: group of \(d) does not divide \(x.shape)")
        let samples = x.count / d
        let out = Tensor(uninitializedShape: x.shape)
        var mean = [Float](repeating: 0, count: samples)
        var inverseStd = [Float](repeating: 0, count: samples)
        var shift = [Float](repeating: 0, count: samples)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let px = x.pointer, po = out.mutablePointer
        nonisolated(unsafe) let pw = weight?.pointer, pb = bias?.pointer
        mean.withUnsafeMutableBufferPointer { meanBuffer in
            inverseStd.withUnsafeMutableBufferPointer { stdBuffer in
              shift.withUnsafeMutableBufferPointer { shiftBuffer in
                // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
                nonisolated(unsafe) let pm = meanBuffer.baseAddress!, ps = stdBuffer.baseAddress!
                nonisolated(unsafe) let pc = shiftBuffer.baseAddress!
                Parallel.forEach(samples) { n in
                    let xs = px + n * d, ys = po + n * d
                    // Pass 1: the mean.
                    let m = Float(Elementwise.sumRange(PlainSummand.self, xs, xs, 0..<d) / Double(d))
                    // Pass 2: Σ(x − m) and Σ(x − m)²; the first corrects for m's rounding.
                    let (s1, s2) = blockSums(d, CenteredMoments(x: xs, mean: m))
                    let delta = s1 / Double(d)  // exact mean − m
                    let variance = max(0, s2 / Double(d) - delta * delta)
                    let r = 1 / (variance + Double(epsilon)).squareRoot()
                    let c = Float(-delta * r)
                    pm[n] = m
                    ps[n] = Float(r)
                    pc[n] = c
                    // Pass 3: normalise and apply the affine.
                    normalize(xs, mean: m, inverseStd: Float(r), shift: c, weight: pw, bias: pb, ys, count: d)
                }
              }
            }
        }
        return (out, Statistics(mean: mean, inverseStd: inverseStd, shift: shift))
    }

    /// Gradients for x (if `needInput`), weight and bias (if given as needed). `weight` is the
    /// forward weight (nil when the forward had none).
    package static func backward(_ grad: Tensor, _ x: Tensor, weight: Tensor?, statistics: Statistics,
                                groupSize: Int, needInput: Bool, needWeight: Bool, needBias: Bool)
        -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let d = groupSize
        let samples = x.count / d
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let pg = grad.pointer, px = x.pointer, pw = weight?.pointer
        var gradInput: Tensor?
        var gradWeight: Tensor?
        var gradBias: Tensor?
        statistics.mean.withUnsafeBufferPointer { meanBuffer in
            statistics.inverseStd.withUnsafeBufferPointer { stdBuffer in
              statistics.shift.withUnsafeBufferPointer { shiftBuffer in
                // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
                nonisolated(unsafe) let pm = meanBuffer.baseAddress!, ps = stdBuffer.baseAddress!
                nonisolated(unsafe) let pc = shiftBuffer.baseAddress!
                if needInput {
                    let gx = Tensor(uninitializedShape: x.shape)
                    // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
                    nonisolated(unsafe) let pgx = gx.mutablePointer
                    Parallel.forEach(samples) { n in
                        inputGradient(pg + n * d, px + n * d, weight: pw, mean: pm[n],
                                      inverseStd: ps[n], shift: pc[n], pgx + n * d, count: d)
                    }
                    gradInput = gx
                }
                if needWeight || needBias {
                    let gw = needWeight ? Tensor(uninitializedShape: [d]) : nil
                    let gb = needBias ? Tensor(uninitializedShape: [d]) : nil
                    // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
                    nonisolated(unsafe) let pgw = gw?.mutablePointer, pgb = gb?.mutablePointer
                    // Split the columns so that no two tasks write the same element.
                    Parallel.forRanges(d, minimumPerTask: max(64, 16_384 / samples)) { cols in
                        affineGradients(pg, px, mean: pm, inverseStd: ps, shift: pc,
                                        samples: samples,
                                        groupSize: d, columns: cols, pgw, pgb)
                    }
                    gradWeight = gw
                    gradBias = gb
                }
              }
            }
        }
        return (gradInput, gradWeight, gradBias)
    }

    // MARK: Inner loops

    /// y = ((x − mean) · inverseStd + shift) · w + b.
    static func normalize(_ x: UnsafePointer<Float>, mean m: Float, inverseStd r: Float, shift c: Float,
                          weight w: UnsafePointer<Float>?, bias b: UnsafePointer<Float>?,
                          _ y: UnsafeMutablePointer<Float>, count d: Int) {
        let mv = SIMD8<Float>(repeating: m), rv = SIMD8<Float>(repeating: r)
        let cv = SIMD8<Float>(repeating: c)
        var i = 0
        while i &+ 8 <= d {
            var v = (Elementwise.load(x + i) - mv) * rv + cv
            if let w { v *= Elementwise.load(w + i) }
            if let b { v += Elementwise.load(b + i) }
            Elementwise.store(v, y + i)
            i &+= 8
        }
        while i < d {
            var v = (x[i] - m) * r + c
            if let w { v *= w[i] }
            if let b { v += b[i] }
            y[i] = v
            i &+= 1
        }
    }

    /// dx = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)) with ĝ = g ⊙ w and x̂ = (x − m) · r + c.
    static func inputGradient(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                              weight w: UnsafePointer<Float>?, mean m: Float, inverseStd r: Float,
                              shift c: Float, _ gx: UnsafeMutablePointer<Float>, count d: Int) {
        let mv = SIMD8<Float>(repeating: m), rv = SIMD8<Float>(repeating: r)
        let cv = SIMD8<Float>(repeating: c)
        let (sumG, sumGX) = blockSums(d, GradientMoments(g: g, x: x, w: w, mean: m, inverseStd: r,
                                                         shift: c))
        let meanG = Float(sumG / Double(d)), meanGX = Float(sumGX / Double(d))
        let av = SIMD8<Float>(repeating: meanG), bv = SIMD8<Float>(repeating: meanGX)
        var i = 0
        while i &+ 8 <= d {
            var gh = Elementwise.load(g + i)
            if let w { gh *= Elementwise.load(w + i) }
            let xh = (Elementwise.load(x + i) - mv) * rv + cv
            Elementwise.store((gh - av - xh * bv) * rv, gx + i)
            i &+= 8
        }
        while i < d {
            var gh = g[i]
            if let w { gh *= w[i] }
            let xh = (x[i] - m) * r + c
            gx[i] = (gh - meanG - xh * meanGX) * r
            i &+= 1
        }
    }

    /// dw[j] = Σ_n g[n,j] · x̂[n,j] and db[j] = Σ_n g[n,j] over `columns`.
    static func affineGradients(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
                                shift: UnsafePointer<Float>, samples: Int, groupSize d: Int, columns: Range<Int>,
                                _ gw: UnsafeMutablePointer<Float>?, _ gb: UnsafeMutablePointer<Float>?) {
        for j in columns {
            gw?[j] = 0
            gb?[j] = 0
        }
        for n in 0..<samples {
            let gs = g + n * d, xs = x + n * d
            let m = mean[n], r = inverseStd[n], c = shift[n]
            let mv = SIMD8<Float>(repeating: m), rv = SIMD8<Float>(repeating: r)
            let cv = SIMD8<Float>(repeating: c)
            var j = columns.lowerBound
            while j &+ 8 <= columns.upperBound {
                let gv = Elementwise.load(gs + j)
                if let gw {
                    let xh = (Elementwise.load(xs + j) - mv) * rv + cv
                    Elementwise.store(Elementwise.load(gw + j) + gv * xh, gw + j)
                }
                if let gb { Elementwise.store(Elementwise.load(gb + j) + gv, gb + j) }
                j &+= 8
            }
            while j < columns.upperBound {
                gw?[j] += gs[j] * ((xs[j] - m) * r + c)
                gb?[j] += gs[j]
                j &+= 1
            }
        }
    }

    /// Two sums over 0..<count: Float SIMD lanes within 64-element blocks, totals in Double.
    /// The terms come from a type, not a closure, so that release builds inline them.
    @inline(__always)
    static func blockSums<T: TwoTerms>(_ count: Int, _ terms: T) -> (Double, Double) {
        var total0 = 0.0, total1 = 0.0
        var i = 0
        while i &+ 64 <= count {
            var (acc0, acc1) = terms.vector(i)
            var k = 8
            while k < 64 {
                let (v0, v1) = terms.vector(i &+ k)
                acc0 += v0
                acc1 += v1
                k &+= 8
            }
            total0 += Double(acc0.sum())
            total1 += Double(acc1.sum())
            i &+= 64
        }
        while i < count {
            let (v0, v1) = terms.scalar(i)
            total0 += Double(v0)
            total1 += Double(v1)
            i &+= 1
        }
        return (total0, total1)
    }
}

/// Two terms per index, summed together by `LayerNormKernels.blockSums`.
protocol TwoTerms {
    func vector(_ i: Int) -> (SIMD8<Float>, SIMD8<Float>)
    func scalar(_ i: Int) -> (Float, Float)
}

/// (x − m, (x − m)²)
struct CenteredMoments: TwoTerms {
    let x: UnsafePointer<Float>
    let mean: Float

    @inline(__always) func vector(_ i: Int) -> (SIMD8<Float>, SIMD8<Float>) {
        let v = Elementwise.load(x + i) - mean
        return (v, v * v)
    }

    @inline(__always) func scalar(_ i: Int) -> (Float, Float) {
        let v = x[i] - mean
        return (v, v * v)
    }
}

/// (ĝ, ĝ · x̂) with ĝ = g ⊙ w and x̂ = (x − m) · r + c.
struct GradientMoments: TwoTerms {
    let g: UnsafePointer<Float>
    let x: UnsafePointer<Float>
    let w: UnsafePointer<Float>?
    let mean: Float, inverseStd: Float, shift: Float

    @inline(__always) func vector(_ i: Int) -> (SIMD8<Float>, SIMD8<Float>) {
        var gh = Elementwise.load(g + i)
        if let w { gh *= Elementwise.load(w + i) }
        let xh = (Elementwise.load(x + i) - mean) * inverseStd + shift
        return (gh, gh * xh)
    }

    @inline(__always) func scalar(_ i: Int) -> (Float, Float) {
        var gh = g[i]
        if let w { gh *= w[i] }
        let xh = (x[i] - mean) * inverseStd + shift
        return (gh, gh * xh)
    }
}
