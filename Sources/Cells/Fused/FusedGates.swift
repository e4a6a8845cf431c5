import Engine

/// Fused element-wise passes of the PredRNN spatiotemporal LSTM cell (SPEC §3). Each reads the
/// gate convolutions' outputs in place (gate k of a [B, K·N, H, W] conv output is channel slab
/// k·N ..< (k+1)·N) and does in one pass what ~20 separate ops did, with no chunk copies.
///
/// Arithmetic is the same, in the same order, as the unfused ops (FastMath SIMD8 sigmoid/tanh,
/// `(a + b) + 1`, `f·c + i·g`), so values are bitwise identical to the op-by-op cell.
enum FusedGates {
    /// Rows of P contiguous values: one (batch item, channel) pair each.
    @inline(__always)
    static func forRows(batch: Int, channels n: Int, plane: Int, _ body: @Sendable (_ b: Int, _ ch: Int) -> Void) {
        Parallel.forRanges(batch * n, minimumPerTask: max(1, 8192 / max(plane, 1))) { rows in
            for row in rows { body(row / n, row % n) }
        }
    }

    /// Loads `count` (≤ 8) floats, zero-padded.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD8<Float> {
        if count == 8 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
        var v = SIMD8<Float>()
        for lane in 0..<count { v[lane] = p[lane] }
        return v
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self); return }
        for lane in 0..<count { p[lane] = v[lane] }
    }

    /// Adds `v` into `p` (the caller's exclusively held gradient buffer).
    @inline(__always)
    static func add(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        store(load(p, count) + v, p, count)
    }

    // MARK: Memories C', M'

    /// i = σ(x0 + h0), f = σ(x1 + h1 + 1), g = tanh(x2 + h2), C' = f ⊙ C + i ⊙ g
    /// i' = σ(x3 + m0), f' = σ(x4 + m1 + 1), g' = tanh(x5 + m2), M' = f' ⊙ M + i' ⊙ g'
    /// x [B, ≥6N, P], h [B, ≥3N, P], m [B, 3N, P], cell and memory [B, N, P] (P = H·W).
    /// Writes [B, 2N, P] = [C', M'] into `op` and, when `gates` is given, the six activated gates
    /// there ([B, 6N, P]: i, f, g, i', f', g'): backward needs only those, so training keeps 6N
    /// channels per step alive instead of the 14N of the conv outputs.
    static func memoriesForward(x: Tensor, h: Tensor, m: Tensor, cell: Tensor, memory: Tensor, channels n: Int,
                                into op: UnsafeMutablePointer<Float>, gates: UnsafeMutablePointer<Float>?) {
        let batch = cell.shape[0], plane = cell.count / max(batch * n, 1)
        let xk = x.shape[1], hk = h.shape[1], mk = m.shape[1]
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let xp = x.pointer, hp = h.pointer, mp = m.pointer, cp = cell.pointer, memp = memory.pointer
        nonisolated(unsafe) let (gates, op) = (gates, op)
        forRows(batch: batch, channels: n, plane: plane) { b, ch in
            let xr = xp + (b &* xk &+ ch) &* plane, hr = hp + (b &* hk &+ ch) &* plane
            let mr = mp + (b &* mk &+ ch) &* plane
            let state = (b &* n &+ ch) &* plane
            let outC = op + (b &* 2 &* n &+ ch) &* plane, outM = outC + n &* plane
            let slab = n &* plane
            let saved = gates.map { $0 + (b &* 6 &* n &+ ch) &* plane }
            var p = 0
            while p < plane {
                let count = min(8, plane &- p)
                @inline(__always) func xg(_ k: Int) -> SIMD8<Float> { load(xr + (k &* slab &+ p), count) }
                @inline(__always) func hg(_ k: Int) -> SIMD8<Float> { load(hr + (k &* slab &+ p), count) }
                @inline(__always) func mg(_ k: Int) -> SIMD8<Float> { load(mr + (k &* slab &+ p), count) }
                let i = FastMath.sigmoid(xg(0) + hg(0))
                let f = FastMath.sigmoid(xg(1) + hg(1) + 1)
                let g = FastMath.tanh(xg(2) + hg(2))
                let c = load(cp + (state &+ p), count)
                store(f * c + i * g, outC + p, count)
                let iP = FastMath.sigmoid(xg(3) + mg(0))
                let fP = FastMath.sigmoid(xg(4) + mg(1) + 1)
                let gP = FastMath.tanh(xg(5) + mg(2))
                let mm = load(memp + (state &+ p), count)
                store(fP * mm + iP * gP, outM + p, count)
                if let saved {
                    store(i, saved + p, count); store(f, saved + (slab &+ p), count)
                    store(g, saved + (2 &* slab &+ p), count); store(iP, saved + (3 &* slab &+ p), count)
                    store(fP, saved + (4 &* slab &+ p), count); store(gP, saved + (5 &* slab &+ p), count)
                }
                p &+= 8
            }
        }
    }

    /// Backward of `memoriesForward` from grad [B, 2N, P] = [dC', dM'] and the gates it saved.
    /// Adds the pre-activation gradients into slabs 0…5 of `gradX` [B, xChannels, P] and 0…2 of
    /// `gradH` (when given; buffers the caller holds exclusively) and writes `gradM` [B, 3N, P],
    /// `gradCell`, `gradMemory` (when given).
    static func memoriesBackward(grad: Tensor, gates: Tensor, cell: Tensor, memory: Tensor, channels n: Int,
                                        gradX: UnsafeMutablePointer<Float>?, xChannels: Int,
                                        gradH: UnsafeMutablePointer<Float>?, hChannels: Int,
                                        gradM: UnsafeMutablePointer<Float>?,
                                        gradCell: UnsafeMutablePointer<Float>?,
                                        gradMemory: UnsafeMutablePointer<Float>?) {
        let batch = cell.shape[0], plane = cell.count / max(batch * n, 1)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let dp = grad.pointer, cp = cell.pointer, memp = memory.pointer, gp = gates.pointer
        nonisolated(unsafe) let (gradCell, gradH, gradM, gradMemory, gradX) = (gradCell, gradH, gradM, gradMemory, gradX)
        forRows(batch: batch, channels: n, plane: plane) { b, ch in
            let slab = n &* plane
            let state = (b &* n &+ ch) &* plane
            let dC = dp + (b &* 2 &* n &+ ch) &* plane, dM = dC + slab
            let saved = gp + (b &* 6 &* n &+ ch) &* plane
            let xr = gradX.map { $0 + (b &* xChannels &+ ch) &* plane }
            let hr = gradH.map { $0 + (b &* hChannels &+ ch) &* plane }
            let mr = gradM.map { $0 + (b &* 3 &* n &+ ch) &* plane }
            var p = 0
            while p < plane {
                let count = min(8, plane &- p)
                @inline(__always) func gate(_ k: Int) -> SIMD8<Float> { load(saved + (k &* slab &+ p), count) }
                let dc = load(dC + p, count), dm = load(dM + p, count)
                let i = gate(0), f = gate(1), g = gate(2), iP = gate(3), fP = gate(4), gP = gate(5)
                let c = load(cp + (state &+ p), count), mm = load(memp + (state &+ p), count)
                // Pre-activation gradients: σ' = y(1 − y), tanh' = 1 − y².
                let di = (dc * g) * (i * (1 - i))
                let df = (dc * c) * (f * (1 - f))
                let dg = (dc * i) * (1 - g * g)
                let diP = (dm * gP) * (iP * (1 - iP))
                let dfP = (dm * mm) * (fP * (1 - fP))
                let dgP = (dm * iP) * (1 - gP * gP)
                if let xr {
                    add(di, xr + p, count); add(df, xr + (slab &+ p), count); add(dg, xr + (2 &* slab &+ p), count)
                    add(diP, xr + (3 &* slab &+ p), count); add(dfP, xr + (4 &* slab &+ p), count)
                    add(dgP, xr + (5 &* slab &+ p), count)
                }
                if let hr {
                    add(di, hr + p, count); add(df, hr + (slab &+ p), count); add(dg, hr + (2 &* slab &+ p), count)
                }
                if let mr {
                    store(diP, mr + p, count); store(dfP, mr + (slab &+ p), count); store(dgP, mr + (2 &* slab &+ p), count)
                }
                if let gradCell { store(dc * f, gradCell + (state &+ p), count) }
                if let gradMemory { store(dm * fP, gradMemory + (state &+ p), count) }
                p &+= 8
            }
        }
    }

    // MARK: Output H', o

    /// o = σ(x6 + h3 + oConv), H' = o ⊙ tanh(last). x [B, 7N, P] (slab 6), h [B, 4N, P] (slab 3),
    /// oConv and last [B, N, P]. Writes [B, 2N, P] = [H', o] into `op` and, when `saved` is
    /// given, [o, tanh(last)] there ([B, 2N, P]), all that backward needs.
    static func outputForward(x: Tensor, h: Tensor, oConv: Tensor, last: Tensor, channels n: Int,
                              into op: UnsafeMutablePointer<Float>, saved: UnsafeMutablePointer<Float>?) {
        let batch = last.shape[0], plane = last.count / max(batch * n, 1)
        let xk = x.shape[1], hk = h.shape[1]
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let xp = x.pointer, hp = h.pointer, ocp = oConv.pointer, lp = last.pointer
        nonisolated(unsafe) let (op, saved) = (op, saved)
        forRows(batch: batch, channels: n, plane: plane) { b, ch in
            let xr = xp + (b &* xk &+ 6 &* n &+ ch) &* plane, hr = hp + (b &* hk &+ 3 &* n &+ ch) &* plane
            let state = (b &* n &+ ch) &* plane
            let outH = op + (b &* 2 &* n &+ ch) &* plane, outO = outH + n &* plane
            let savedO = saved.map { $0 + (b &* 2 &* n &+ ch) &* plane }
            var p = 0
            while p < plane {
                let count = min(8, plane &- p)
                let o = FastMath.sigmoid(load(xr + p, count) + load(hr + p, count) + load(ocp + (state &+ p), count))
                let t = FastMath.tanh(load(lp + (state &+ p), count))
                store(o * t, outH + p, count)
                store(o, outO + p, count)
                if let savedO { store(o, savedO + p, count); store(t, savedO + (n &* plane &+ p), count) }
                p &+= 8
            }
        }
    }

    /// Backward of `outputForward` from grad [B, 2N, P] = [dH', do] and its saved [o, tanh(last)]:
    /// adds the output gate's pre-activation gradient into slab 6 of `gradX` and slab 3 of
    /// `gradH` (when given) and writes it to `gradOConv`; writes `gradLast`.
    static func outputBackward(grad: Tensor, saved: Tensor, channels n: Int,
                                      gradX: UnsafeMutablePointer<Float>?, xChannels: Int,
                                      gradH: UnsafeMutablePointer<Float>?, hChannels: Int,
                                      gradOConv: UnsafeMutablePointer<Float>?,
                                      gradLast: UnsafeMutablePointer<Float>?) {
        let batch = saved.shape[0], plane = saved.count / max(batch * 2 * n, 1)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let dp = grad.pointer, sp = saved.pointer
        nonisolated(unsafe) let (gradH, gradLast, gradOConv, gradX) = (gradH, gradLast, gradOConv, gradX)
        forRows(batch: batch, channels: n, plane: plane) { b, ch in
            let state = (b &* n &+ ch) &* plane
            let dH = dp + (b &* 2 &* n &+ ch) &* plane, dO = dH + n &* plane
            let savedO = sp + (b &* 2 &* n &+ ch) &* plane, savedT = savedO + n &* plane
            let xr = gradX.map { $0 + (b &* xChannels &+ 6 &* n &+ ch) &* plane }
            let hr = gradH.map { $0 + (b &* hChannels &+ 3 &* n &+ ch) &* plane }
            var p = 0
            while p < plane {
                let count = min(8, plane &- p)
                let o = load(savedO + p, count), t = load(savedT + p, count)
                let dh = load(dH + p, count)
                let dPre = (dh * t + load(dO + p, count)) * (o * (1 - o))
                if let xr { add(dPre, xr + p, count) }
                if let hr { add(dPre, hr + p, count) }
                if let gradOConv { store(dPre, gradOConv + (state &+ p), count) }
                if let gradLast { store((dh * o) * (1 - t * t), gradLast + (state &+ p), count) }
                p &+= 8
            }
        }
    }
}

// MARK: Gated blend (MotionRNN transition)

extension FusedGates {
    /// y = g ⊙ a + (1 − g) ⊙ b with g = σ(pre), element-wise over equal shapes.
    static func gatedBlendForward(pre: Tensor, a: Tensor, b: Tensor, into op: UnsafeMutablePointer<Float>) {
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let pp = pre.pointer, ap = a.pointer, bp = b.pointer
        nonisolated(unsafe) let op = op
        Parallel.forRanges((pre.count + 7) / 8, minimumPerTask: 4096) { blocks in
            for block in blocks {
                let start = block &* 8, count = min(8, pre.count &- start)
                let g = FastMath.sigmoid(load(pp + start, count))
                store(g * load(ap + start, count) + (1 - g) * load(bp + start, count), op + start, count)
            }
        }
    }

    /// Gradients of `gatedBlendForward` from dy: d pre = (dy ⊙ a − dy ⊙ b) ⊙ g(1 − g),
    /// d a = dy ⊙ g, d b = dy ⊙ (1 − g); each written where a pointer is given. g is recomputed.
    static func gatedBlendBackward(grad: Tensor, pre: Tensor, a: Tensor, b: Tensor,
                                          gradPre: UnsafeMutablePointer<Float>?, gradA: UnsafeMutablePointer<Float>?,
                                          gradB: UnsafeMutablePointer<Float>?) {
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let dp = grad.pointer, pp = pre.pointer, ap = a.pointer, bp = b.pointer
        nonisolated(unsafe) let (gradA, gradB, gradPre) = (gradA, gradB, gradPre)
        Parallel.forRanges((grad.count + 7) / 8, minimumPerTask: 4096) { blocks in
            for block in blocks {
                let start = block &* 8, count = min(8, grad.count &- start)
                let dy = load(dp + start, count), g = FastMath.sigmoid(load(pp + start, count))
                if let gradPre {
                    let dg = dy * load(ap + start, count) - dy * load(bp + start, count)
                    store(dg * (g * (1 - g)), gradPre + start, count)
                }
                if let gradA { store(dy * g, gradA + start, count) }
                if let gradB { store(dy * (1 - g), gradB + start, count) }
            }
        }
    }
}
