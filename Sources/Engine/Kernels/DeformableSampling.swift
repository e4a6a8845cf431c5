/// Kernels of the modulated deformable 3×3 sampling of MotionRNN's Warp (SPEC §4.1): a
/// "deformable im2col". Neighbour n = 3a+b of pixel (i, j) is read bilinearly from the 1-zero-padded
/// input at (i+a, j+b) + (offsets[n], offsets[9+n]) and scaled by mask[n]; the result
/// [B, C·9, H, W] (channel c·9+n) times the Warp conv weight reshaped to [outC, C·9] is the Warp.
///
/// Clamping follows the official code literally: y0 = floor(py), y1 = y0+1 and py itself are
/// clamped to [0, H+1] (x likewise), and the corner weights are (1+(y0−py)), (1−(y1−py)) even when
/// the clamped corners coincide. Points outside the range get no offset gradient.
///
/// Every corner index points into a zero-padded copy of x, so padded samples read zero without a
/// branch and the formula stays literal.
package enum DeformableSampling {
    /// Sampled values [B, C·9, H, W] of x [B, C, H, W] at offsets [B, 18, H, W], times mask [B, 9, H, W].
    package static func forward(_ x: Tensor, offsets: Tensor, mask: Tensor) -> Tensor {
        let dims = checkShapes(x, offsets, mask)
        let (batch, channels, hw) = (dims.batch, dims.channels, dims.height * dims.width)
        let padded = pad(x, dims)
        let out = Tensor(uninitializedShape: [batch, channels * 9, dims.height, dims.width])
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let xp = padded.pointer, off = offsets.pointer, mk = mask.pointer, dst = out.mutablePointer
        let planePadded = (dims.height + 2) * (dims.width + 2)

        // One task per (b, n): its output planes (c·9+n for all c) belong to it alone.
        Parallel.forRanges(batch * 9, minimumPerTask: tasksPerThread(channels * hw)) { range in
            let table = CornerTable(pixels: hw)
            defer { table.deallocate() }
            for task in range {
                let b = task / 9, n = task % 9
                table.fill(offsets: off, batch: b, neighbour: n, dims)
                let m = mk + task * hw  // mask plane (b, n): [B, 9, H, W] is task-major
                var c = 0
                // Four channels per pass: the corner table is loaded once for four outputs, and
                // only four padded planes are read at a time (they stay in L1).
                while c &+ 4 <= channels {
                    table.sample4(xp + (b &* channels &+ c) &* planePadded, planeStride: planePadded,
                                  into: dst + ((b &* channels &+ c) &* 9 &+ n) &* hw, rowStride: 9 &* hw, mask: m)
                    c &+= 4
                }
                while c < channels {
                    table.sample1(xp + (b &* channels &+ c) &* planePadded,
                                  into: dst + ((b &* channels &+ c) &* 9 &+ n) &* hw, mask: m)
                    c &+= 1
                }
            }
        }
        return out
    }

    /// Gradients of `forward` given the result's gradient `grad`; nil for those not asked for.
    package static func backward(_ grad: Tensor, x: Tensor, offsets: Tensor, mask: Tensor,
                                needX: Bool, needOffsets: Bool, needMask: Bool)
        -> (x: Tensor?, offsets: Tensor?, mask: Tensor?) {
        let dims = checkShapes(x, offsets, mask)
        let (batch, channels, hw) = (dims.batch, dims.channels, dims.height * dims.width)
        Shape.check("deformableSample backward", grad.shape,
                    equals: [batch, channels * 9, dims.height, dims.width], "gradient")
        guard needX || needOffsets || needMask else { return (nil, nil, nil) }
        let needSums = needOffsets || needMask
        let padded = pad(x, dims)
        let planePadded = (dims.height + 2) * (dims.width + 2)
        let gOffsets = needOffsets ? Tensor(uninitializedShape: offsets.shape) : nil
        let gMask = needMask ? Tensor(uninitializedShape: mask.shape) : nil
        // For the x gradient: every (b, n) table's corner indices and mask-scaled weights, kept
        // so that the scatter can be split by (b, c) planes (distinct memory per thread).
        nonisolated(unsafe) let keptIndex = needX ? UnsafeMutablePointer<Int32>.allocate(capacity: batch * 9 * 4 * hw) : nil
        nonisolated(unsafe) let keptWeight = needX ? UnsafeMutablePointer<Float>.allocate(capacity: batch * 9 * 4 * hw) : nil
        defer { keptIndex?.deallocate(); keptWeight?.deallocate() }

        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let xp = padded.pointer, off = offsets.pointer, mk = mask.pointer, gp = grad.pointer
        nonisolated(unsafe) let gOff = gOffsets?.mutablePointer, gM = gMask?.mutablePointer

        // Phase 1, one task per (b, n): corner tables, and the channel sums that give the mask
        // and offset gradients (each task owns its mask plane and its two offset planes).
        Parallel.forRanges(batch * 9, minimumPerTask: tasksPerThread(channels * hw)) { range in
            let table = CornerTable(pixels: hw)
            let sums = UnsafeMutablePointer<Float>.allocate(capacity: needSums ? 4 * hw : 1)
            defer { table.deallocate(); sums.deallocate() }
            for task in range {
                let b = task / 9, n = task % 9
                table.fill(offsets: off, batch: b, neighbour: n, dims)
                let m = mk + task * hw
                let (wlt, wrb, wlb, wrt) = (table.wlt, table.wrb, table.wlb, table.wrt)
                if needSums {
                    // s_k(p) = Σ_c g_c(p)·V_c(corner k): the value gradient per corner.
                    let slt = sums, srb = sums + hw, slb = sums + 2 * hw, srt = sums + 3 * hw
                    sums.update(repeating: 0, count: 4 * hw)
                    var c = 0
                    while c &+ 4 <= channels {
                        table.accumulate4(xp + (b &* channels &+ c) &* planePadded, planeStride: planePadded,
                                          grad: gp + ((b &* channels &+ c) &* 9 &+ n) &* hw, rowStride: 9 &* hw,
                                          sums: sums)
                        c &+= 4
                    }
                    while c < channels {
                        table.accumulate1(xp + (b &* channels &+ c) &* planePadded,
                                          grad: gp + ((b &* channels &+ c) &* 9 &+ n) &* hw, sums: sums)
                        c &+= 1
                    }
                    if let gM {
                        let out = gM + task * hw
                        for p in 0..<hw {
                            out[p] = wlt[p] * slt[p] + wrb[p] * srb[p] + wlb[p] * slb[p] + wrt[p] * srt[p]
                        }
                    }
                    if let gOff {
                        // d weight/d py: −wx for the y0 corners, +wx for the y1 corners (and
                        // symmetrically for px); zero where the point was clamped.
                        let outY = gOff + (b &* 18 &+ n) &* hw, outX = gOff + (b &* 18 &+ 9 &+ n) &* hw
                        let (wy0, wy1, wx0, wx1) = (table.wy0, table.wy1, table.wx0, table.wx1)
                        for p in 0..<hw {
                            let dy = wx0[p] * (srt[p] - slt[p]) + wx1[p] * (srb[p] - slb[p])
                            let dx = wy0[p] * (slb[p] - slt[p]) + wy1[p] * (srb[p] - srt[p])
                            outY[p] = table.insideY[p] ? m[p] * dy : 0
                            outX[p] = table.insideX[p] ? m[p] * dx : 0
                        }
                    }
                }
                if let keptIndex, let keptWeight {
                    let index = keptIndex + task * 4 * hw, weight = keptWeight + task * 4 * hw
                    index.update(from: table.lt, count: 4 * hw)  // lt, rb, lb, rt are adjacent
                    for p in 0..<hw {
                        weight[p] = wlt[p] * m[p]
                        weight[hw &+ p] = wrb[p] * m[p]
                        weight[2 &* hw &+ p] = wlb[p] * m[p]
                        weight[3 &* hw &+ p] = wrt[p] * m[p]
                    }
                }
            }
        }

        // Phase 2, one task per (b, c): scatter weight·mask·g into a padded plane, then drop
        // the padding.
        var gX: Tensor?
        if let keptIndex, let keptWeight {
            let result = Tensor(uninitializedShape: x.shape)
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let gx = result.mutablePointer
            let (height, width) = (dims.height, dims.width)
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let (keptIndex, keptWeight) = (keptIndex, keptWeight)
            Parallel.forRanges(batch * channels, minimumPerTask: tasksPerThread(9 * hw)) { range in
                let acc = UnsafeMutablePointer<Float>.allocate(capacity: planePadded)
                defer { acc.deallocate() }
                for plane in range {
                    let b = plane / channels, c = plane % channels
                    acc.update(repeating: 0, count: planePadded)
                    for n in 0..<9 {
                        let g = gp + ((b &* channels &+ c) &* 9 &+ n) &* hw
                        let index = keptIndex + (b &* 9 &+ n) &* 4 &* hw
                        let weight = keptWeight + (b &* 9 &+ n) &* 4 &* hw
                        let (ilt, irb, ilb, irt) = (index, index + hw, index + 2 &* hw, index + 3 &* hw)
                        let (wlt, wrb, wlb, wrt) = (weight, weight + hw, weight + 2 &* hw, weight + 3 &* hw)
                        for p in 0..<hw {
                            let gv = g[p]
                            acc[Int(ilt[p])] += wlt[p] * gv
                            acc[Int(irb[p])] += wrb[p] * gv
                            acc[Int(ilb[p])] += wlb[p] * gv
                            acc[Int(irt[p])] += wrt[p] * gv
                        }
                    }
                    let out = gx + plane &* hw
                    for i in 0..<height {
                        let source: UnsafeMutablePointer<Float> = acc + ((i &+ 1) &* (width &+ 2) &+ 1)
                        (out + i &* width).update(from: source, count: width)
                    }
                }
            }
            gX = result
        }
        return (gX, gOffsets, gMask)
    }

    // MARK: - Helpers

    struct Dims {
        let batch, channels, height, width: Int
    }

    static func checkShapes(_ x: Tensor, _ offsets: Tensor, _ mask: Tensor) -> Dims {
        let op = "deformableSample"
        Shape.check(op, x.shape, rank: 4, "x")
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        Shape.check(op, offsets.shape, equals: [b, 18, h, w], "offsets")
        Shape.check(op, mask.shape, equals: [b, 9, h, w], "mask")
        return Dims(batch: b, channels: c, height: h, width: w)
    }

    /// Work items (of `work` element operations each) per thread below which threads do not pay.
    static func tasksPerThread(_ work: Int) -> Int { max(1, 16_384 / max(work, 1)) }

    /// x zero-padded by 1 on each side: [B, C, H+2, W+2].
    static func pad(_ x: Tensor, _ dims: Dims) -> Tensor {
        let (h, w) = (dims.height, dims.width)
        let out = Tensor(zeros: [dims.batch, dims.channels, h + 2, w + 2])
        let src = x.pointer, dst = out.mutablePointer
        for plane in 0..<(dims.batch * dims.channels) {
            let s = src + plane * h * w, d = dst + plane * (h + 2) * (w + 2)
            for i in 0..<h { (d + (i + 1) * (w + 2) + 1).update(from: s + i * w, count: w) }
        }
        return out
    }

    /// Per pixel of one (b, n): the four corner indices into a padded plane, the axis weights,
    /// the corner weights (products) and whether py/px escaped the clamp. Struct of arrays.
    struct CornerTable {
        let pixels: Int
        /// lt, rb, lb, rt stored back to back (4·pixels).
        let lt, rb, lb, rt: UnsafeMutablePointer<Int32>
        let wy0, wy1, wx0, wx1, wlt, wrb, wlb, wrt: UnsafeMutablePointer<Float>
        let insideY, insideX: UnsafeMutablePointer<Bool>

        init(pixels: Int) {
            self.pixels = pixels
            lt = .allocate(capacity: 4 * max(pixels, 1))
            rb = lt + pixels; lb = rb + pixels; rt = lb + pixels
            wy0 = .allocate(capacity: 8 * max(pixels, 1))
            wy1 = wy0 + pixels; wx0 = wy1 + pixels; wx1 = wx0 + pixels
            wlt = wx1 + pixels; wrb = wlt + pixels; wlb = wrb + pixels; wrt = wlb + pixels
            insideY = .allocate(capacity: 2 * max(pixels, 1))
            insideX = insideY + pixels
        }

        func deallocate() { lt.deallocate(); wy0.deallocate(); insideY.deallocate() }

        func fill(offsets: UnsafePointer<Float>, batch b: Int, neighbour n: Int, _ dims: Dims) {
            let (h, w) = (dims.height, dims.width)
            let fy = offsets + (b * 18 + n) * pixels, fx = offsets + (b * 18 + 9 + n) * pixels
            let a = n / 3, bb = n % 3
            let maxY = Float(h + 1), maxX = Float(w + 1), rowStride = w + 2
            for i in 0..<h {
                for j in 0..<w {
                    let p = i &* w &+ j
                    // (i+1)+(a−1) = i+a: the integer part is exact, one rounding as in torch.
                    let rawY = Float(i &+ a) + fy[p], rawX = Float(j &+ bb) + fx[p]
                    let floorY = rawY.rounded(.down), floorX = rawX.rounded(.down)
                    let y0 = clamp(floorY, maxY), y1 = clamp(floorY + 1, maxY)
                    let x0 = clamp(floorX, maxX), x1 = clamp(floorX + 1, maxX)
                    let py = clamp(rawY, maxY), px = clamp(rawX, maxX)
                    insideY[p] = rawY >= 0 && rawY <= maxY
                    insideX[p] = rawX >= 0 && rawX <= maxX
                    let row0 = Int(y0) &* rowStride, row1 = Int(y1) &* rowStride
                    let col0 = Int(x0), col1 = Int(x1)
                    lt[p] = Int32(truncatingIfNeeded: row0 &+ col0)
                    rb[p] = Int32(truncatingIfNeeded: row1 &+ col1)
                    lb[p] = Int32(truncatingIfNeeded: row0 &+ col1)
                    rt[p] = Int32(truncatingIfNeeded: row1 &+ col0)
                    let ay0 = 1 + (y0 - py), ay1 = 1 - (y1 - py)
                    let ax0 = 1 + (x0 - px), ax1 = 1 - (x1 - px)
                    wy0[p] = ay0; wy1[p] = ay1; wx0[p] = ax0; wx1[p] = ax1
                    wlt[p] = ay0 * ax0; wrb[p] = ay1 * ax1
                    wlb[p] = ay0 * ax1; wrt[p] = ay1 * ax0
                }
            }
        }

        /// row[p] = bilinear(src, p)·mask[p] for one padded plane.
        @inline(__always) func sample1(_ src: UnsafePointer<Float>, into row: UnsafeMutablePointer<Float>,
                                       mask m: UnsafePointer<Float>) {
            for p in 0..<pixels {
                // Same summation order as the official code: lt, rb, lb, rt.
                let v = wlt[p] * src[Int(lt[p])] + wrb[p] * src[Int(rb[p])]
                    + wlb[p] * src[Int(lb[p])] + wrt[p] * src[Int(rt[p])]
                row[p] = v * m[p]
            }
        }

        /// `sample1` for four consecutive channels (planes and rows `…Stride` apart).
        @inline(__always) func sample4(_ s0: UnsafePointer<Float>, planeStride: Int,
                                       into r0: UnsafeMutablePointer<Float>, rowStride: Int,
                                       mask m: UnsafePointer<Float>) {
            let s1 = s0 + planeStride, s2 = s1 + planeStride, s3 = s2 + planeStride
            let r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride
            for p in 0..<pixels {
                let (i0, i1, i2, i3) = (Int(lt[p]), Int(rb[p]), Int(lb[p]), Int(rt[p]))
                let (w0, w1, w2, w3, mp) = (wlt[p], wrb[p], wlb[p], wrt[p], m[p])
                r0[p] = (w0 * s0[i0] + w1 * s0[i1] + w2 * s0[i2] + w3 * s0[i3]) * mp
                r1[p] = (w0 * s1[i0] + w1 * s1[i1] + w2 * s1[i2] + w3 * s1[i3]) * mp
                r2[p] = (w0 * s2[i0] + w1 * s2[i1] + w2 * s2[i2] + w3 * s2[i3]) * mp
                r3[p] = (w0 * s3[i0] + w1 * s3[i1] + w2 * s3[i2] + w3 * s3[i3]) * mp
            }
        }

        /// sums[k·pixels + p] += g[p]·src[corner k of p] (k = lt, rb, lb, rt) for one plane.
        @inline(__always) func accumulate1(_ src: UnsafePointer<Float>, grad g: UnsafePointer<Float>,
                                           sums: UnsafeMutablePointer<Float>) {
            let slt = sums, srb = sums + pixels, slb = srb + pixels, srt = slb + pixels
            for p in 0..<pixels {
                let gv = g[p]
                slt[p] += gv * src[Int(lt[p])]
                srb[p] += gv * src[Int(rb[p])]
                slb[p] += gv * src[Int(lb[p])]
                srt[p] += gv * src[Int(rt[p])]
            }
        }

        /// `accumulate1` for four consecutive channels.
        @inline(__always) func accumulate4(_ s0: UnsafePointer<Float>, planeStride: Int,
                                           grad g0: UnsafePointer<Float>, rowStride: Int,
                                           sums: UnsafeMutablePointer<Float>) {
            let s1 = s0 + planeStride, s2 = s1 + planeStride, s3 = s2 + planeStride
            let g1 = g0 + rowStride, g2 = g1 + rowStride, g3 = g2 + rowStride
            let slt = sums, srb = sums + pixels, slb = srb + pixels, srt = slb + pixels
            for p in 0..<pixels {
                let (i0, i1, i2, i3) = (Int(lt[p]), Int(rb[p]), Int(lb[p]), Int(rt[p]))
                let (a0, a1, a2, a3) = (g0[p], g1[p], g2[p], g3[p])
                slt[p] += a0 * s0[i0] + a1 * s1[i0] + a2 * s2[i0] + a3 * s3[i0]
                srb[p] += a0 * s0[i1] + a1 * s1[i1] + a2 * s2[i1] + a3 * s3[i1]
                slb[p] += a0 * s0[i2] + a1 * s1[i2] + a2 * s2[i2] + a3 * s3[i2]
                srt[p] += a0 * s0[i3] + a1 * s1[i3] + a2 * s2[i3] + a3 * s3[i3]
            }
        }

        /// Clamp to [0, upper]; NaN goes to 0 so that the index stays valid.
        @inline(__always) private func clamp(_ v: Float, _ upper: Float) -> Float {
            v > upper ? upper : (v >= 0 ? v : 0)
        }
    }
}
