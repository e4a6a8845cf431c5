/// Axis permutation of raw tensors into a fresh contiguous tensor.
///
/// Any permutation is first reduced to its simplest equivalent: size-1 axes are dropped and axes
/// that stay neighbours in the same order are merged. The common video/image layouts then become
/// one of two fast shapes:
/// - a batched 2-D transpose `[n, r, c] → [n, c, r]` (NCHW↔NHWC, [B,T,H,W,C]→[B,T,C,H,W]),
///   done in cache-sized tiles;
/// - a permutation that keeps the innermost axis, done as contiguous block copies
///   (patchify, [B,T,…]→[T,B,…]).
/// Everything else walks the output in order with strided reads.
package enum Permute {
    package static func apply(_ t: Tensor, axes: [Int]) -> Tensor {
        precondition(axes.count == t.rank && Set(axes) == Set(0..<t.rank),
                     "permute: axes \(axes) are not a permutation of the \(t.rank) axes of shape \(t.shape)")
        let out = Tensor(uninitializedShape: axes.map { t.shape[$0] })
        guard out.count > 0 else { return out }
        let (dims, perm) = simplify(shape: t.shape, axes: axes)
        let src = t.pointer, dst = out.mutablePointer
        let rank = dims.count
        if rank <= 1 {
            dst.update(from: src, count: out.count)
        } else if rank == 2 && perm == [1, 0] {
            transpose(src, dst, batch: 1, rows: dims[0], columns: dims[1])
        } else if rank == 3 && perm == [0, 2, 1] {
            transpose(src, dst, batch: dims[0], rows: dims[1], columns: dims[2])
        } else {
            gather(src, dst, dims: dims, perm: perm)
        }
        return out
    }

    /// The smallest (dims, perm) that moves the same elements: drop size-1 axes, merge runs of
    /// axes that are consecutive both in the input and in the output.
    static func simplify(shape: [Int], axes: [Int]) -> (dims: [Int], perm: [Int]) {
        // Output order of the input axes that are larger than 1, renumbered without the size-1
        // axes (so axes on either side of a dropped one count as neighbours).
        var compact = [Int](repeating: -1, count: shape.count)
        var next = 0
        for axis in shape.indices where shape[axis] > 1 { compact[axis] = next; next += 1 }
        let kept = axes.filter { shape[$0] > 1 }.map { compact[$0] }
        let keptSizes = shape.filter { $0 > 1 }
        // Runs of consecutive input axes in output order become one axis each.
        var runs: [(first: Int, size: Int)] = []
        var previous = -2
        for axis in kept {
            if axis == previous + 1, !runs.isEmpty {
                runs[runs.count - 1].size *= keptSizes[axis]
            } else {
                runs.append((axis, keptSizes[axis]))
            }
            previous = axis
        }
        // Number the merged axes in input order.
        let inputOrder = runs.indices.sorted { runs[$0].first < runs[$1].first }
        var perm = [Int](repeating: 0, count: runs.count)
        var dims = [Int](repeating: 0, count: runs.count)
        for (position, run) in inputOrder.enumerated() {
            dims[position] = runs[run].size
            perm[run] = position
        }
        return (dims, perm)
    }

    /// dst[b][c][r] = src[b][r][c] for `batch` row-major rows×columns matrices.
    static func transpose(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                          batch: Int, rows: Int, columns: Int) {
        // Square tiles keep both the strided reads and the contiguous writes in L1.
        let tile = 16
        let rowTiles = (rows + tile - 1) / tile, columnTiles = (columns + tile - 1) / tile
        let tilesPerMatrix = rowTiles * columnTiles
        let matrixSize = rows * columns
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (dst, src) = (dst, src)
        Parallel.forRanges(batch * tilesPerMatrix, minimumPerTask: 32) { range in
            for unit in range {
                let b = unit / tilesPerMatrix, inMatrix = unit - b * tilesPerMatrix
                let r0 = (inMatrix / columnTiles) * tile, c0 = (inMatrix % columnTiles) * tile
                let r1 = min(r0 + tile, rows), c1 = min(c0 + tile, columns)
                let s = src + b * matrixSize, d = dst + b * matrixSize
                // Walk contiguously on the side with the long rows, so the strided side spans
                // little memory (a power-of-two long stride would alias the tile's cache lines
                // onto the same L1 sets).
                if rows <= columns {
                    for r in r0..<r1 {
                        let sRow = s + r &* columns
                        var dIndex = c0 &* rows &+ r
                        for c in c0..<c1 {
                            d[dIndex] = sRow[c]
                            dIndex &+= rows
                        }
                    }
                } else {
                    for c in c0..<c1 {
                        let dRow = d + c &* rows
                        var sIndex = r0 &* columns &+ c
                        for r in r0..<r1 {
                            dRow[r] = s[sIndex]
                            sIndex &+= columns
                        }
                    }
                }
            }
        }
    }

    /// General case: walk output rows (all axes but the last) with an odometer; each row is a
    /// contiguous block copy when the innermost axis stays innermost, otherwise a strided read.
    static func gather(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>,
                       dims: [Int], perm: [Int]) {
        let rank = dims.count
        let inStrides = Shape.strides(dims)
        let outDims = perm.map { dims[$0] }
        let stridesByOutput = perm.map { inStrides[$0] }   // input step per output axis
        let rowLength = outDims[rank - 1]
        let innerStride = stridesByOutput[rank - 1]
        let rowCount = outDims.dropLast().reduce(1, *)
        let outer = rank - 1
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (dst, src) = (dst, src)
        Parallel.forRanges(rowCount, minimumPerTask: max(1, 32_768 / rowLength)) { range in
            // Multi-index of the first row of this range, and its input offset.
            var index = [Int](repeating: 0, count: outer)
            var rest = range.lowerBound
            var offset = 0
            for axis in stride(from: outer - 1, through: 0, by: -1) {
                index[axis] = rest % outDims[axis]
                rest /= outDims[axis]
                offset += index[axis] * stridesByOutput[axis]
            }
            index.withUnsafeMutableBufferPointer { index in
                for row in range {
                    let d = dst + row &* rowLength
                    if innerStride == 1 {
                        d.update(from: src + offset, count: rowLength)
                    } else {
                        var s = offset
                        for k in 0..<rowLength {
                            d[k] = src[s]
                            s &+= innerStride
                        }
                    }
                    // Advance the odometer.
                    var axis = outer - 1
                    while axis >= 0 {
                        index[axis] += 1
                        offset += stridesByOutput[axis]
                        if index[axis] < outDims[axis] { break }
                        offset -= index[axis] * stridesByOutput[axis]
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
    }
}
