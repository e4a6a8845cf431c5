/// Convolution forward (no padding: pad first) on large volumes without a whole column matrix:
/// the output is cut into chunks of rows of one output frame, and each chunk's columns
/// (a few MB, still in cache when the GEMM reads them) are built just before its GEMM. I3D's
/// 7×7×7 stem would otherwise write and read back a 413 MB column matrix per video.
/// Chunks are spread over the cores (serially inside a task); inference only.
package enum ChunkedConvolution {
    /// Column floats per chunk (4 MB).
    package static let defaultChunk = 1 << 20

    /// x [B, C, D, H, W], weight [M, C, kd, kh, kw], bias [M] → [B, M, od, oh, ow] with
    /// od = (D − kd)/sd + 1 (and so on): a valid cross-correlation; with `relu`, max(·, 0) of it
    /// (applied while the chunk is still in cache).
    package static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int, Int),
                               relu: Bool = false, chunk: Int = defaultChunk) -> Tensor {
        precondition(x.rank == 5 && weight.rank == 5 && x.shape[1] == weight.shape[1],
                     "ChunkedConvolution: input \(x.shape) and weight \(weight.shape) do not match")
        let (batch, channels, depth, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
        let (m, kd, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3], weight.shape[4])
        let (sd, sh, sw) = stride
        precondition(depth >= kd && height >= kh && width >= kw && sd > 0 && sh > 0 && sw > 0,
                     "ChunkedConvolution: kernel \(weight.shape) with stride \(stride) does not fit input \(x.shape)")
        let (od, oh, ow) = ((depth - kd) / sd + 1, (height - kh) / sh + 1, (width - kw) / sw + 1)
        let k = channels * kd * kh * kw, outputPlane = od * oh * ow
        let rowsPerChunk = max(1, min(oh, chunk / max(k * ow, 1)))
        let chunksPerFrame = (oh + rowsPerChunk - 1) / rowsPerChunk
        let out = Tensor(uninitializedShape: [batch, m, od, oh, ow])
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let source = x.pointer, target = out.mutablePointer, w = weight.pointer
        Parallel.forRanges(batch * od * chunksPerFrame, minimumPerTask: 1) { units in
            // Reused per thread: a fresh block per call would cost page faults on every video.
            let columns = ThreadScratch.floats(k * rowsPerChunk * ow)
            for unit in units {
                let item = unit / (od * chunksPerFrame), z = unit / chunksPerFrame % od
                let firstRow = unit % chunksPerFrame * rowsPerChunk, rows = min(rowsPerChunk, oh - firstRow)
                let n = rows * ow
                // Row (c, a, i, j) of the columns: input[c, z·sd + a, y·sh + i, x·sw + j] over the chunk.
                var row = columns
                for c in 0..<channels {
                    for a in 0..<kd {
                        let plane = source + ((item * channels + c) * depth + z * sd + a) * height * width
                        for i in 0..<kh {
                            for j in 0..<kw {
                                for y in firstRow..<(firstRow + rows) {
                                    let line = plane + (y * sh + i) * width + j
                                    if sw == 1 {
                                        row.update(from: line, count: ow)
                                    } else {
                                        for t in 0..<ow { row[t] = line[t * sw] }
                                    }
                                    row += ow
                                }
                            }
                        }
                    }
                }
                let into = target + item * m * outputPlane + z * oh * ow + firstRow * ow
                BLAS.gemm(m: m, n: n, k: k, a: w, lda: k, b: columns, ldb: n, c: into, ldc: outputPlane)
                if bias != nil || relu {
                    for channel in 0..<m {
                        let line = into + channel * outputPlane, b = bias?[channel] ?? 0
                        if relu {
                            for t in 0..<n { line[t] = Swift.max(line[t] + b, 0) }
                        } else {
                            for t in 0..<n { line[t] += b }
                        }
                    }
                }
            }
        }
        return out
    }
}
