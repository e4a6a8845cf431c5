/// Convolution kernels (cross-correlation with zero padding, PyTorch weight layouts) on raw
/// tensors. The general path is im2col/col2im plus SGEMM (stride-1 3×3 and 5×5 2-D convolutions
/// may take Winograd instead, see `Algorithm`); three products cover the forward and backward passes of convolutions and transposed convolutions. With `A` a weight matrix [M, K]
/// (K = geometry.patchSize), `image` the tensor on the im2col side of the geometry and `planes`
/// the tensor on its output side ([B, M, outputPlane]):
/// - `correlate`:      planes = A · cols(image)           conv forward, convT backward-data
/// - `scatter`:        image  = col2im(Aᵀ · planes)       conv backward-data, convT forward
/// - `weightProduct`:  [M, K] = planes · cols(image)ᵀ     weight gradients of both
///
/// Each product runs on a part of the batch at a time (`BatchLayout`): with `.split`, one part
/// per core, image by image, each doing its own im2col, single-threaded GEMM and col2im with no
/// hand-off between steps; the weight gradient sums the parts' partial products.
package enum Convolution {
    /// How a batch meets the cores. `.split`: the batch is cut into one part per core and each
    /// part runs the whole pipeline (im2col, GEMM, reorder) on its core; a batch smaller than the
    /// core count runs `.folded`. `.folded`: one GEMM over all B·P columns, split across cores
    /// inside the GEMM, with parallel im2col/col2im around it. Without a layout (nil, the
    /// default) the kernels split products of at least `BLAS.splitThreshold` multiply-adds and
    /// fold smaller ones (the 8×8 MotionGRU convs measured up to 2× slower split). Measured with
    /// `motionrnn bench-kernels --layout …` (docs/PERFORMANCE.md).
    package enum BatchLayout: Sendable { case split, folded }

    /// How a convolution is computed. `.im2col`: column matrix + GEMM, any geometry.
    /// `.winograd`: Winograd minimal filtering (`WinogradConvolution`), 2-D stride-1 convolutions
    /// with 3×3 and 5×5 kernels only; 2.25–2.8× fewer multiply-adds. Without an algorithm (nil,
    /// the default) a convolution uses Winograd where it applies and both channel counts are at
    /// least 16 (`WinogradConvolution.isPreferred`). Transposed convolutions always use im2col.
    package enum Algorithm: Sendable { case im2col, winograd }

    /// Replaces the engine's choice for convolutions that name no algorithm, within
    /// `Convolution.$algorithmOverride.withValue(…) { … }` on the calling task: `.im2col` never
    /// uses Winograd, `.winograd` uses it wherever it applies (whatever the channel counts). For
    /// checking a whole model on either path (the reference-fixture tests run both).
    @TaskLocal public static var algorithmOverride: Algorithm?

    static func usesWinograd(_ g: ConvGeometry, outputChannels: Int, _ algorithm: Algorithm?) -> Bool {
        if algorithm == .winograd {
            precondition(WinogradConvolution.supports(g), "Winograd does not apply to the convolution \(g)")
        }
        switch algorithm ?? algorithmOverride {
        case .im2col: return false
        case .winograd: return WinogradConvolution.supports(g)
        case nil: return WinogradConvolution.isPreferred(g, outputChannels: outputChannels)
        }
    }

    // MARK: Convolution

    /// x [B, Cin, (D,) H, W], weight [Cout, Cin, (kd,) kh, kw], bias [Cout]
    /// → [B, Cout, (od,) oh, ow].
    package static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvGeometry,
                               layout: BatchLayout? = nil, algorithm: Algorithm? = nil) -> Tensor {
        if usesWinograd(g, outputChannels: weight.shape[0], algorithm) {
            return WinogradConvolution.forward(x, weight: weight, bias: bias, geometry: g)
        }
        let m = weight.shape[0]
        let out = Tensor(uninitializedShape: g.outputShape(channels: m, rank: x.rank))
        forEachPart(g, rows: m, layout) { _, items, part in
            correlate(weight.pointer, rows: m, image: x.pointer + items.lowerBound * g.channels * g.inputPlane, part,
                      bias: bias?.pointer, into: out.mutablePointer + items.lowerBound * m * g.outputPlane)
        }
        return out
    }

    /// Gradients of `forward` from the output gradient [B, Cout, …]: the input gradient when
    /// `weight` is given, the weight gradient when `x` is given (each needs only the other's
    /// value), the bias gradient when `bias` is true.
    ///
    /// The column matrix of `x` is recomputed here rather than kept from the forward pass:
    /// im2col costs a few percent of the GEMMs, while keeping it would hold kd·kh·kw copies of
    /// every conv input alive until backward (25× the activations with 5×5 kernels).
    package static func backward(_ gradOutput: Tensor, x: Tensor?, weight: Tensor?, geometry g: ConvGeometry,
                                bias needBias: Bool, layout: BatchLayout? = nil, algorithm: Algorithm? = nil)
        -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let m = gradOutput.shape[1], rank = gradOutput.rank
        let gradBias = needBias
            ? ConvolutionLayout.sumPerRow(gradOutput.pointer, batch: g.batch, rows: m, plane: g.outputPlane)
            : nil
        if usesWinograd(g, outputChannels: m, algorithm) {
            return (weight.map { WinogradConvolution.inputGradient(gradOutput, weight: $0, geometry: g) },
                    x.map { WinogradConvolution.weightGradient(gradOutput, x: $0, geometry: g) }, gradBias)
        }
        let gradWeight = x.map {
            weightProduct(planes: gradOutput.pointer, rows: m, image: $0.pointer, g, layout: layout)
                .reshaped(g.weightShape(outputChannels: m, rank: rank))
        }
        let gradInput = weight.map {
            scatter($0.pointer, rows: m, planes: gradOutput.pointer, g, channelBase: nil,
                    imageShape: g.imageShape(rank: rank), layout: layout)
        }
        return (gradInput, gradWeight, gradBias)
    }

    // MARK: Transposed convolution

    /// The transposed convolution (adjoint of `forward` in its input): x [B, Cin, (D,) H, W],
    /// weight [Cin, Cout, (kd,) kh, kw], bias [Cout]. `g` is the geometry of the convolution that
    /// maps the result back to x's size: its image side is the result [B, Cout, …], its output
    /// side x.
    package static func transposedForward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvGeometry,
                                         layout: BatchLayout? = nil) -> Tensor {
        scatter(weight.pointer, rows: x.shape[1], planes: x.pointer, g, channelBase: bias?.pointer,
                imageShape: g.imageShape(rank: x.rank), layout: layout)
    }

    /// Gradients of `transposedForward` from the output gradient [B, Cout, …]: the input gradient
    /// when `weight` is given, the weight gradient when `x` is given, the bias gradient when
    /// `bias` is true.
    package static func transposedBackward(_ gradOutput: Tensor, x: Tensor?, weight: Tensor?,
                                          geometry g: ConvGeometry, bias needBias: Bool,
                                          layout: BatchLayout? = nil)
        -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let rank = gradOutput.rank
        let gradBias = needBias
            ? ConvolutionLayout.sumPerRow(gradOutput.pointer, batch: g.batch, rows: g.channels,
                                          plane: g.inputPlane)
            : nil
        let gradWeight = x.map {
            // [Cin, Cout·k…] is exactly the [Cin, Cout, k…] layout.
            weightProduct(planes: $0.pointer, rows: $0.shape[1], image: gradOutput.pointer, g, layout: layout)
                .reshaped(g.weightShape(outputChannels: $0.shape[1], rank: rank))
        }
        let gradInput = weight.map { weight in
            let rows = weight.shape[0]
            let out = Tensor(uninitializedShape: g.outputShape(channels: rows, rank: rank))
            forEachPart(g, rows: rows, layout) { _, items, part in
                correlate(weight.pointer, rows: rows, image: gradOutput.pointer + items.lowerBound * g.channels * g.inputPlane,
                          part, bias: nil, into: out.mutablePointer + items.lowerBound * rows * g.outputPlane)
            }
            return out
        }
        return (gradInput, gradWeight, gradBias)
    }

    // MARK: Batch parts

    /// Calls `body(part, items, geometry of the items)` so that the items cover the batch. Split:
    /// each core takes a part of the batch and calls `body` once per image of it, so an image's
    /// column matrix is still in cache when the GEMM reads it. Folded: one call for the whole
    /// batch. `rows` × K × B·P is the product's size, which decides when no layout is given.
    static func forEachPart(_ g: ConvGeometry, rows: Int, _ layout: BatchLayout?,
                            _ body: @Sendable (_ part: Range<Int>, _ items: Range<Int>, ConvGeometry) -> Void) {
        let chosen = layout ?? (rows * g.patchSize * g.columnCount >= BLAS.splitThreshold ? .split : .folded)
        guard chosen == .split, g.batch >= Parallel.coreCount, !Parallel.isInsideTask else {
            body(0..<g.batch, 0..<g.batch, g)
            return
        }
        let single = g.withBatch(1)
        Parallel.forRanges(g.batch, minimumPerTask: 1) { part in
            for item in part { body(part, item..<(item + 1), single) }
        }
    }

    // MARK: The three products (on the items of one geometry)

    /// The column matrix [K, B·P] of `image`; for a pointwise geometry just the batch-folded image.
    static func columns(_ image: UnsafePointer<Float>, _ g: ConvGeometry) -> Tensor {
        if g.isPointwise {
            return ConvolutionLayout.fold(image, batch: g.batch, rows: g.channels, plane: g.inputPlane)
        }
        let columns = Tensor(uninitializedShape: [g.patchSize, g.columnCount])
        Im2Col.im2col(image, g, into: columns.mutablePointer)
        return columns
    }

    /// planes [B, M, P] in the batch-folded layout [M, B·P] (for one image they already are).
    static func folded(_ planes: UnsafePointer<Float>, rows m: Int, _ g: ConvGeometry) -> Tensor? {
        g.batch == 1 ? nil : ConvolutionLayout.fold(planes, batch: g.batch, rows: m, plane: g.outputPlane)
    }

    /// planes [B, M, P] = A[M, K] · cols(image) (+ bias[m]), written to `out`.
    static func correlate(_ a: UnsafePointer<Float>, rows m: Int, image: UnsafePointer<Float>, _ g: ConvGeometry,
                          bias: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>) {
        let k = g.patchSize, n = g.columnCount
        if g.batch == 1 {
            // One image: the product is already in [M, P] layout, and a pointwise one needs no columns.
            let cols = g.isPointwise ? nil : columns(image, g)
            BLAS.gemm(m: m, n: n, k: k, a: a, lda: k, b: cols?.pointer ?? image, ldb: n, c: out, ldc: n)
            if let bias { ConvolutionLayout.addBias(bias, to: out, batch: 1, rows: m, plane: n) }
            return
        }
        let cols = columns(image, g)
        let product = Tensor(uninitializedShape: [m, n])
        BLAS.gemm(m: m, n: n, k: k, a: a, lda: k, b: cols.pointer, ldb: n, c: product.mutablePointer, ldc: n)
        ConvolutionLayout.unfold(product.pointer, batch: g.batch, rows: m, plane: g.outputPlane, bias: bias, into: out)
    }

    /// image = col2im(Aᵀ · planes), each image channel starting from `channelBase` (or zero).
    static func scatter(_ a: UnsafePointer<Float>, rows m: Int, planes: UnsafePointer<Float>, _ g: ConvGeometry,
                        channelBase: UnsafePointer<Float>?, imageShape: [Int], layout: BatchLayout?) -> Tensor {
        let image = Tensor(uninitializedShape: imageShape)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (a, channelBase, planes) = (a, channelBase, planes)
        forEachPart(g, rows: m, layout) { _, items, part in
            scatter(a, rows: m, planes: planes + items.lowerBound * m * g.outputPlane, part, channelBase: channelBase,
                    into: image.mutablePointer + items.lowerBound * g.channels * g.inputPlane)
        }
        return image
    }

    private static func scatter(_ a: UnsafePointer<Float>, rows m: Int, planes: UnsafePointer<Float>,
                                _ g: ConvGeometry, channelBase: UnsafePointer<Float>?,
                                into image: UnsafeMutablePointer<Float>) {
        let k = g.patchSize, n = g.columnCount, plane = g.outputPlane
        let reordered = folded(planes, rows: m, g)
        let source = reordered?.pointer ?? planes
        if g.isPointwise {
            if g.batch == 1 {
                BLAS.gemm(transposeA: true, m: k, n: n, k: m, a: a, lda: k, b: source, ldb: n, c: image, ldc: n)
                if let channelBase { ConvolutionLayout.addBias(channelBase, to: image, batch: 1, rows: k, plane: n) }
                return
            }
            let columns = Tensor(uninitializedShape: [k, n])
            BLAS.gemm(transposeA: true, m: k, n: n, k: m, a: a, lda: k, b: source, ldb: n,
                      c: columns.mutablePointer, ldc: n)
            ConvolutionLayout.unfold(columns.pointer, batch: g.batch, rows: k, plane: plane, bias: channelBase,
                                     into: image)
            return
        }
        // A few channels at a time, so the block col2im reads back is still in cache (about
        // 2 MB) instead of a full column matrix (tens of MB) in memory.
        let perChannel = g.kernelVolume * n
        let chunk = max(1, min(g.channels, (1 << 19) / max(perChannel, 1)))
        let block = Tensor(uninitializedShape: [chunk * perChannel])
        for first in stride(from: 0, to: g.channels, by: chunk) {
            let channels = first..<min(g.channels, first + chunk)
            BLAS.gemm(transposeA: true, m: channels.count * g.kernelVolume, n: n, k: m,
                      a: a + first * g.kernelVolume, lda: k, b: source, ldb: n, c: block.mutablePointer, ldc: n)
            Im2Col.col2im(block.pointer, g, into: image, channelBase: channelBase, channelRange: channels)
        }
    }

    /// [M, K] = planes · cols(image)ᵀ, summed over the batch: each part accumulates its images'
    /// products, then the parts are added.
    static func weightProduct(planes: UnsafePointer<Float>, rows m: Int, image: UnsafePointer<Float>,
                              _ g: ConvGeometry, layout: BatchLayout?) -> Tensor {
        let k = g.patchSize
        guard g.batch > 0 else { return Tensor(zeros: [m, k]) }   // an empty batch adds nothing
        var partials = [Tensor?](repeating: nil, count: g.batch)
        partials.withUnsafeMutableBufferPointer { slots in
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let (image, planes, slots) = (image, planes, slots)
            forEachPart(g, rows: m, layout) { part, items, geometry in
                let reordered = folded(planes + items.lowerBound * m * g.outputPlane, rows: m, geometry)
                let images = image + items.lowerBound * g.channels * g.inputPlane
                // One pointwise image is its own column matrix: no copy.
                let cols = geometry.isPointwise && geometry.batch == 1 ? nil : columns(images, geometry)
                let n = geometry.columnCount
                let first = items.lowerBound == part.lowerBound
                if first { slots[part.lowerBound] = Tensor(uninitializedShape: [m, k]) }
                BLAS.gemm(transposeB: true, m: m, n: k, k: n,
                          a: reordered?.pointer ?? planes + items.lowerBound * m * g.outputPlane, lda: n,
                          b: cols?.pointer ?? images, ldb: n, beta: first ? 0 : 1,
                          c: slots[part.lowerBound]!.mutablePointer, ldc: k)
            }
        }
        let parts = partials.compactMap { $0 }
        let sum = parts[0]
        for other in parts.dropFirst() { Elementwise.addInPlace(sum, other) }
        return sum
    }
}
