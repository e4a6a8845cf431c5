/// Kernels of the flow warp TrajGRU uses (SPEC §10.1): each of L flow fields moves every channel
/// of x, sampled bilinearly in pixel units with zeros outside the map and no clamping — torch's
/// `grid_sample(padding_mode: zeros, align_corners: true)`, MXNet's `BilinearSampler`.
///
/// Output pixel (y, x) of link l reads x at column x + flows[2l], row y + flows[2l+1]. Each of the
/// four corners that lies outside the map contributes zero, and the weights of the others are not
/// renormalised. The floor is not differentiated: at integer positions the flow gradient is the
/// one-sided derivative towards larger coordinates.
///
/// Layouts: x [B, C, H, W], flows [B, 2L, H, W], result [B, L·C, H, W] with channel l·C + c (the
/// link-major concatenation TrajGRU's `ret` convolution reads).
package enum FlowWarping {
    package static func forward(_ x: Tensor, flows: Tensor) -> Tensor {
        let dims = checkShapes(x, flows)
        let (batch, links, channels, hw) = (dims.batch, dims.links, dims.channels, dims.pixels)
        let corners = CornerTables(flows: flows, dims)
        defer { corners.deallocate() }
        let out = Tensor(uninitializedShape: [batch, links * channels, dims.height, dims.width])
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let src = x.pointer, dst = out.mutablePointer
        // One task per (b, l): its C output planes belong to it alone.
        Parallel.forRanges(batch * links, minimumPerTask: tasksPerThread(channels * hw)) { range in
            for table in range {
                let b = table / links
                let (index, weight) = (corners.index(table), corners.weight(table))
                for c in 0..<channels {
                    let plane = src + (b &* channels &+ c) &* hw
                    let result = dst + (table &* channels &+ c) &* hw
                    for p in 0..<hw {
                        var sum: Float = 0
                        for k in 0..<4 { sum += weight[k &* hw &+ p] * plane[Int(index[k &* hw &+ p])] }
                        result[p] = sum
                    }
                }
            }
        }
        return out
    }

    /// Gradients of `forward` given the result's gradient; nil for those not asked for.
    package static func backward(_ grad: Tensor, x: Tensor, flows: Tensor,
                                needX: Bool, needFlows: Bool) -> (x: Tensor?, flows: Tensor?) {
        let dims = checkShapes(x, flows)
        let (batch, links, channels, hw) = (dims.batch, dims.links, dims.channels, dims.pixels)
        Shape.check("flowWarp backward", grad.shape, equals: [batch, links * channels, dims.height, dims.width],
                    "gradient")
        guard needX || needFlows else { return (nil, nil) }
        let corners = CornerTables(flows: flows, dims)
        defer { corners.deallocate() }
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let src = x.pointer, g = grad.pointer

        var flowGradient: Tensor?
        if needFlows {
            // d out / d column = (1−ay)(v01 − v00) + ay(v11 − v10), d out / d row likewise, with
            // v the corner values (zero outside); summed over channels per link.
            let result = Tensor(uninitializedShape: flows.shape)
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let dst = result.mutablePointer
            Parallel.forRanges(batch * links, minimumPerTask: tasksPerThread(channels * hw)) { range in
                for table in range {
                    let b = table / links, l = table % links
                    let (index, inside) = (corners.index(table), corners.inside(table))
                    let (ax, ay) = (corners.fractionX(table), corners.fractionY(table))
                    let gColumn = dst + (b &* 2 &* links &+ 2 &* l) &* hw, gRow = gColumn + hw
                    gColumn.update(repeating: 0, count: 2 * hw)
                    for c in 0..<channels {
                        let plane = src + (b &* channels &+ c) &* hw
                        let gc = g + (table &* channels &+ c) &* hw
                        for p in 0..<hw {
                            let v00 = inside[p] * plane[Int(index[p])]
                            let v01 = inside[hw &+ p] * plane[Int(index[hw &+ p])]
                            let v10 = inside[2 &* hw &+ p] * plane[Int(index[2 &* hw &+ p])]
                            let v11 = inside[3 &* hw &+ p] * plane[Int(index[3 &* hw &+ p])]
                            gColumn[p] += gc[p] * ((1 - ay[p]) * (v01 - v00) + ay[p] * (v11 - v10))
                            gRow[p] += gc[p] * ((1 - ax[p]) * (v10 - v00) + ax[p] * (v11 - v01))
                        }
                    }
                }
            }
            flowGradient = result
        }

        var xGradient: Tensor?
        if needX {
            // One task per (b, c) plane: it gathers the scatter of every link into its own plane.
            let result = Tensor(zeros: x.shape)
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let dst = result.mutablePointer
            Parallel.forRanges(batch * channels, minimumPerTask: tasksPerThread(links * hw)) { range in
                for planeIndex in range {
                    let b = planeIndex / channels, c = planeIndex % channels
                    let plane = dst + planeIndex &* hw
                    for l in 0..<links {
                        let table = b &* links &+ l
                        let (index, weight) = (corners.index(table), corners.weight(table))
                        let gc = g + (table &* channels &+ c) &* hw
                        for p in 0..<hw {
                            for k in 0..<4 { plane[Int(index[k &* hw &+ p])] += weight[k &* hw &+ p] * gc[p] }
                        }
                    }
                }
            }
            xGradient = result
        }
        return (xGradient, flowGradient)
    }

    // MARK: - Helpers

    struct Dims {
        let batch, channels, links, height, width: Int
        var pixels: Int { height * width }
    }

    static func checkShapes(_ x: Tensor, _ flows: Tensor) -> Dims {
        let op = "flowWarp"
        Shape.check(op, x.shape, rank: 4, "x")
        Shape.check(op, flows.shape, rank: 4, "flows")
        let (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(flows.shape[1] % 2 == 0 && flows.shape[1] > 0,
                     "flowWarp: flows \(flows.shape) need an even, positive number of channels (column, row per link)")
        Shape.check(op, flows.shape, equals: [b, flows.shape[1], h, w], "flows")
        return Dims(batch: b, channels: c, links: flows.shape[1] / 2, height: h, width: w)
    }

    /// Work items (of `work` element operations each) per thread below which threads do not pay.
    static func tasksPerThread(_ work: Int) -> Int { max(1, 16_384 / max(work, 1)) }

    /// Per (b, l) table and pixel: the four corners (top-left, top-right, bottom-left,
    /// bottom-right) as indices into an H×W plane (0 when outside, so reads stay in bounds),
    /// whether each is inside (1/0), the bilinear weights (0 outside) and the fractions ax, ay.
    /// Struct of arrays, one allocation per field. Sendable by hand: written only while it is
    /// built, then read by the tasks of the loops that use it.
    struct CornerTables: @unchecked Sendable {
        let pixels: Int
        let indices: UnsafeMutablePointer<Int32>
        let weights, insides, fractionsX, fractionsY: UnsafeMutablePointer<Float>

        init(flows: Tensor, _ dims: Dims) {
            let (tables, hw, height, width) = (dims.batch * dims.links, dims.pixels, dims.height, dims.width)
            pixels = hw
            indices = .allocate(capacity: tables * 4 * hw)
            weights = .allocate(capacity: tables * 4 * hw)
            insides = .allocate(capacity: tables * 4 * hw)
            fractionsX = .allocate(capacity: tables * hw)
            fractionsY = .allocate(capacity: tables * hw)
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let flow = flows.pointer
            nonisolated(unsafe) let (indices, weights, insides, fractionsX, fractionsY) = (indices, weights, insides, fractionsX, fractionsY)
            Parallel.forRanges(tables, minimumPerTask: FlowWarping.tasksPerThread(hw)) { range in
                for table in range {
                    // flows [B, 2L, H, W]: table b·L + l owns channels 2l (column) and 2l + 1 (row).
                    let column = flow + 2 &* table &* hw, row = column + hw
                    let index = indices + table &* 4 &* hw, weight = weights + table &* 4 &* hw
                    let inside = insides + table &* 4 &* hw
                    for p in 0..<hw {
                        let xs = Float(p % width) + column[p], ys = Float(p / width) + row[p]
                        let x0f = xs.rounded(.down), y0f = ys.rounded(.down)
                        let ax = xs - x0f, ay = ys - y0f
                        fractionsX[table &* hw &+ p] = ax
                        fractionsY[table &* hw &+ p] = ay
                        for k in 0..<4 {
                            // Positions far outside (or not finite) are simply outside.
                            let cx = x0f + Float(k & 1), cy = y0f + Float(k >> 1)
                            let isInside = cx >= 0 && cx <= Float(width - 1) && cy >= 0 && cy <= Float(height - 1)
                            index[k &* hw &+ p] = isInside ? Int32(cy) * Int32(width) + Int32(cx) : 0
                            inside[k &* hw &+ p] = isInside ? 1 : 0
                            let cornerWeight = (k & 1 == 1 ? ax : 1 - ax) * (k >> 1 == 1 ? ay : 1 - ay)
                            weight[k &* hw &+ p] = isInside ? cornerWeight : 0
                        }
                    }
                }
            }
        }

        func index(_ table: Int) -> UnsafeMutablePointer<Int32> { indices + table * 4 * pixels }
        func weight(_ table: Int) -> UnsafeMutablePointer<Float> { weights + table * 4 * pixels }
        func inside(_ table: Int) -> UnsafeMutablePointer<Float> { insides + table * 4 * pixels }
        func fractionX(_ table: Int) -> UnsafeMutablePointer<Float> { fractionsX + table * pixels }
        func fractionY(_ table: Int) -> UnsafeMutablePointer<Float> { fractionsY + table * pixels }

        func deallocate() {
            indices.deallocate(); weights.deallocate(); insides.deallocate()
            fractionsX.deallocate(); fractionsY.deallocate()
        }
    }
}
