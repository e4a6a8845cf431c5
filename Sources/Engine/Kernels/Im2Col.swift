/// The index geometry of one convolution: input and output sizes, kernel, stride, zero padding.
/// Everything is 3-D (depth, height, width); a 2-D convolution is the case depth 1, kernel depth 1.
///
/// The column matrix ("col") of a convolution has one row per (input channel, kernel offset) and
/// one column per (batch item, output position): [channels·kd·kh·kw, batch·od·oh·ow]. Folding the
/// batch into the columns lets a whole batch go through one large GEMM.
package struct ConvGeometry: Equatable, Sendable {
    package let batch: Int
    package let channels: Int
    package let inputDepth: Int, inputHeight: Int, inputWidth: Int
    package let kernelDepth: Int, kernelHeight: Int, kernelWidth: Int
    package let strideDepth: Int, strideHeight: Int, strideWidth: Int
    package let padDepth: Int, padHeight: Int, padWidth: Int
    package let outputDepth: Int, outputHeight: Int, outputWidth: Int

    package init(op: String, batch: Int, channels: Int, input: (Int, Int, Int), kernel: (Int, Int, Int),
                stride: (Int, Int, Int), padding: (Int, Int, Int)) {
        precondition(kernel.0 > 0 && kernel.1 > 0 && kernel.2 > 0, "\(op): kernel \(kernel) must be positive")
        precondition(stride.0 > 0 && stride.1 > 0 && stride.2 > 0, "\(op): stride \(stride) must be positive")
        precondition(padding.0 >= 0 && padding.1 >= 0 && padding.2 >= 0,
                     "\(op): padding \(padding) must not be negative")
        func outputSize(_ size: Int, _ k: Int, _ s: Int, _ p: Int) -> Int {
            precondition(size + 2 * p >= k,
                         "\(op): kernel \(kernel) larger than padded input \(input) (padding \(padding))")
            return (size + 2 * p - k) / s + 1
        }
        self.batch = batch
        self.channels = channels
        (inputDepth, inputHeight, inputWidth) = input
        (kernelDepth, kernelHeight, kernelWidth) = kernel
        (strideDepth, strideHeight, strideWidth) = stride
        (padDepth, padHeight, padWidth) = padding
        outputDepth = outputSize(input.0, kernel.0, stride.0, padding.0)
        outputHeight = outputSize(input.1, kernel.1, stride.1, padding.1)
        outputWidth = outputSize(input.2, kernel.2, stride.2, padding.2)
    }

    package var kernelVolume: Int { kernelDepth * kernelHeight * kernelWidth }
    package var inputPlane: Int { inputDepth * inputHeight * inputWidth }
    package var outputPlane: Int { outputDepth * outputHeight * outputWidth }
    /// Rows of the column matrix (the GEMM's K).
    package var patchSize: Int { channels * kernelVolume }
    /// Columns of the column matrix (the GEMM's N).
    package var columnCount: Int { batch * outputPlane }
    /// 1×1(×1), stride 1, no padding: the column matrix is the input itself, reordered.
    package var isPointwise: Bool {
        kernelVolume == 1 && strideDepth == 1 && strideHeight == 1 && strideWidth == 1
            && padDepth == 0 && padHeight == 0 && padWidth == 0
    }

    /// The image side [B, C, (D,) H, W] for a tensor of rank 4 (2-D) or 5 (3-D).
    package func imageShape(rank: Int) -> [Int] {
        rank == 5 ? [batch, channels, inputDepth, inputHeight, inputWidth]
                  : [batch, channels, inputHeight, inputWidth]
    }

    /// The output side [B, channels, (od,) oh, ow].
    package func outputShape(channels: Int, rank: Int) -> [Int] {
        rank == 5 ? [batch, channels, outputDepth, outputHeight, outputWidth]
                  : [batch, channels, outputHeight, outputWidth]
    }

    /// A weight [outputChannels, C, (kd,) kh, kw] (for a transposed convolution,
    /// `outputChannels` is its input's channel count).
    package func weightShape(outputChannels: Int, rank: Int) -> [Int] {
        rank == 5 ? [outputChannels, channels, kernelDepth, kernelHeight, kernelWidth]
                  : [outputChannels, channels, kernelHeight, kernelWidth]
    }

    /// The same convolution on `count` items (a part of the batch).
    package func withBatch(_ count: Int) -> ConvGeometry {
        ConvGeometry(op: "conv", batch: count, channels: channels,
                     input: (inputDepth, inputHeight, inputWidth),
                     kernel: (kernelDepth, kernelHeight, kernelWidth),
                     stride: (strideDepth, strideHeight, strideWidth), padding: (padDepth, padHeight, padWidth))
    }

    package var hasPadding: Bool { padDepth > 0 || padHeight > 0 || padWidth > 0 }
    /// Sizes of the zero-padded input.
    var paddedDepth: Int { inputDepth + 2 * padDepth }
    var paddedHeight: Int { inputHeight + 2 * padHeight }
    var paddedWidth: Int { inputWidth + 2 * padWidth }
}

/// im2col / col2im between a batch of images [B, C, D, H, W] and the column matrix of
/// `ConvGeometry`. Both split their work over the cores with `Parallel`; each task writes a
/// disjoint part of the output, so no locking.
///
/// Padding is handled by working on a zero-padded copy of each image (im2col) or a padded
/// scratch plane (col2im): the copy costs a fraction of the column matrix (which is kh·kw times
/// larger) and leaves the inner loops without any bounds test.
package enum Im2Col {
    /// Work (elements) below which a task is not worth handing to another core.
    static let grain = 16_384

    /// Writes the column matrix [patchSize, columnCount] of `input` into `columns`.
    package static func im2col(_ input: UnsafePointer<Float>, _ g: ConvGeometry,
                              into columns: UnsafeMutablePointer<Float>) {
        guard g.hasPadding else {
            gather(input, g, depth: g.inputDepth, height: g.inputHeight, width: g.inputWidth, into: columns)
            return
        }
        let padded = UnsafeMutablePointer<Float>.allocate(
            capacity: g.batch * g.channels * g.paddedDepth * g.paddedHeight * g.paddedWidth)
        defer { padded.deallocate() }
        pad(input, g, into: padded)
        gather(padded, g, depth: g.paddedDepth, height: g.paddedHeight, width: g.paddedWidth, into: columns)
    }

    /// Accumulates the column matrix back into images: `output` [B, C, D, H, W] receives the sum of
    /// every column entry that reads its position (the adjoint of `im2col`). Each image plane
    /// starts at `channelBase[channel]` (a bias) or at zero. With `channelRange`, `columns` holds
    /// only the rows of those channels and only their planes are written.
    package static func col2im(_ columns: UnsafePointer<Float>, _ g: ConvGeometry,
                              into output: UnsafeMutablePointer<Float>,
                              channelBase: UnsafePointer<Float>? = nil, channelRange: Range<Int>? = nil) {
        let range = channelRange ?? 0..<g.channels
        let n = g.columnCount, volume = g.kernelVolume, area = g.kernelHeight * g.kernelWidth
        let (depth, height, width) = (g.paddedDepth, g.paddedHeight, g.paddedWidth)
        let (od, oh, ow) = (g.outputDepth, g.outputHeight, g.outputWidth)
        let (sd, sh, sw) = (g.strideDepth, g.strideHeight, g.strideWidth)
        let (channels, batch, inputPlane) = (g.channels, g.batch, g.inputPlane)
        let paddedPlane = depth * height * width
        let padded = g.hasPadding
        // Each task owns whole channels: it alone writes their B image planes, reads the
        // channel's rows of the column matrix in order, and its planes stay in L1/L2.
        let perChannel = max(volume * n, 1)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (channelBase, columns, output) = (channelBase, columns, output)
        Parallel.forRanges(range.count, minimumPerTask: max(1, grain / perChannel)) { task in
            let scratch = padded ? UnsafeMutablePointer<Float>.allocate(capacity: batch * paddedPlane) : nil
            defer { scratch?.deallocate() }
            for channel in (task.lowerBound + range.lowerBound)..<(task.upperBound + range.lowerBound) {
                let base = channelBase?[channel] ?? 0
                // Plane of item b: scratch + b·paddedPlane when padded, else the output itself.
                let (sums, itemStride) = scratch.map { ($0, paddedPlane) }
                    ?? (output + channel &* inputPlane, channels &* inputPlane)
                for item in 0..<batch {
                    (sums + item &* itemStride).update(repeating: padded ? 0 : base, count: paddedPlane)
                }
                var source = UnsafePointer(columns + (channel &- range.lowerBound) &* volume &* n)
                for offset in 0..<volume {
                    let kz = offset / area
                    let ky = (offset - kz * area) / g.kernelWidth
                    let kx = offset - kz * area - ky * g.kernelWidth
                    let corner: Int = (kz &* height &+ ky) &* width &+ kx
                    for item in 0..<batch {
                        let image = sums + (item &* itemStride &+ corner)
                        for oz in 0..<od {
                            let slice = image + (oz &* sd &* height &* width)
                            for oy in 0..<oh {
                                addLine(source, into: slice + oy &* sh &* width, stride: sw, count: ow)
                                source += ow
                            }
                        }
                    }
                }
                if let scratch {
                    for item in 0..<batch {
                        crop(scratch + item &* paddedPlane, g, adding: base,
                             into: output + (item &* channels &+ channel) &* inputPlane)
                    }
                }
            }
        }
    }

    /// out[b, c, z, y, x] = input[b, c, z − pd, y − ph, x − pw], zero outside the input.
    private static func pad(_ input: UnsafePointer<Float>, _ g: ConvGeometry,
                            into out: UnsafeMutablePointer<Float>) {
        let (depth, height, width) = (g.inputDepth, g.inputHeight, g.inputWidth)
        let (pHeight, pWidth) = (g.paddedHeight, g.paddedWidth)
        let paddedPlane = g.paddedDepth * pHeight * pWidth
        let inputPlane = g.inputPlane
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (input, out) = (input, out)
        Parallel.forRanges(g.batch * g.channels, minimumPerTask: max(1, grain / max(paddedPlane, 1))) { planes in
            for plane in planes {
                let target = out + plane &* paddedPlane
                target.update(repeating: 0, count: paddedPlane)
                let source = input + plane &* inputPlane
                for z in 0..<depth {
                    for y in 0..<height {
                        let row: Int = ((z &+ g.padDepth) &* pHeight &+ y &+ g.padHeight) &* pWidth &+ g.padWidth
                        copyLine(source + (z &* height &+ y) &* width, stride: 1, count: width, into: target + row)
                    }
                }
            }
        }
    }

    /// target[b, c, z, y, x] = base + padded plane at (z + pd, y + ph, x + pw).
    private static func crop(_ padded: UnsafePointer<Float>, _ g: ConvGeometry, adding base: Float,
                             into target: UnsafeMutablePointer<Float>) {
        let (depth, height, width) = (g.inputDepth, g.inputHeight, g.inputWidth)
        let (pHeight, pWidth) = (g.paddedHeight, g.paddedWidth)
        for z in 0..<depth {
            for y in 0..<height {
                let row: Int = ((z &+ g.padDepth) &* pHeight &+ y &+ g.padHeight) &* pWidth &+ g.padWidth
                let source = padded + row, out = target + (z &* height &+ y) &* width
                var x = 0
                while x < width { out[x] = source[x] + base; x &+= 1 }
            }
        }
    }

    /// The column matrix of an unpadded (or already padded) batch with planes depth×height×width.
    private static func gather(_ source: UnsafePointer<Float>, _ g: ConvGeometry,
                               depth: Int, height: Int, width: Int,
                               into columns: UnsafeMutablePointer<Float>) {
        let n = g.columnCount, volume = g.kernelVolume, area = g.kernelHeight * g.kernelWidth
        let (od, oh, ow) = (g.outputDepth, g.outputHeight, g.outputWidth)
        let (sd, sh, sw) = (g.strideDepth, g.strideHeight, g.strideWidth)
        let (channels, batch) = (g.channels, g.batch)
        let plane = depth * height * width
        // Each task fills whole rows: one (channel, kernel offset) for every batch item.
        nonisolated(unsafe) let (columns, source) = (columns, source)
        Parallel.forRanges(g.patchSize, minimumPerTask: max(1, grain / max(n, 1))) { rows in
            for row in rows {
                let channel = row / volume
                let offset = row - channel * volume
                let kz = offset / area
                let ky = (offset - kz * area) / g.kernelWidth
                let kx = offset - kz * area - ky * g.kernelWidth
                let corner: Int = (kz &* height &+ ky) &* width &+ kx
                var out = columns + row &* n
                for item in 0..<batch {
                    let image = source + ((item &* channels &+ channel) &* plane &+ corner)
                    for oz in 0..<od {
                        let slice = image + (oz &* sd &* height &* width)
                        for oy in 0..<oh {
                            copyLine(slice + oy &* sh &* width, stride: sw, count: ow, into: out)
                            out += ow
                        }
                    }
                }
            }
        }
    }

    /// out[t] = source[t·stride] for t < count.
    @inline(__always)
    private static func copyLine(_ source: UnsafePointer<Float>, stride: Int, count: Int,
                                 into out: UnsafeMutablePointer<Float>) {
        var t = 0
        if stride == 1 {
            while t &+ 8 <= count {
                let chunk = UnsafeRawPointer(source + t).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(out + t).storeBytes(of: chunk, as: SIMD8<Float>.self)
                t &+= 8
            }
            while t < count { out[t] = source[t]; t &+= 1 }
        } else {
            while t < count { out[t] = source[t &* stride]; t &+= 1 }
        }
    }

    /// target[t·stride] += source[t] for t < count.
    @inline(__always)
    private static func addLine(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>,
                                stride: Int, count: Int) {
        var t = 0
        if stride == 1 {
            while t &+ 8 <= count {
                let sum = UnsafeRawPointer(target + t).loadUnaligned(as: SIMD8<Float>.self)
                    + UnsafeRawPointer(source + t).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(target + t).storeBytes(of: sum, as: SIMD8<Float>.self)
                t &+= 8
            }
            while t < count { target[t] += source[t]; t &+= 1 }
        } else {
            while t < count { target[t &* stride] += source[t]; t &+= 1 }
        }
    }
}
