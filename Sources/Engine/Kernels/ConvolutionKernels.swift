/// Convolution kernels (cross-correlation with zero padding, PyTorch weight layouts) on raw
/// tensors. Everything is im2col/col2im plus SGEMM; three products cover the forward and
/// backward passes of convolutions and transposed convolutions. With `A` a weight matrix [M, K]
/// (K = geometry.patchSize), `image` the tensor on the im2col side of the geometry and `planes`
/// the tensor on its output side ([B, M, outputPlane]):
/// - `correlate`:      planes = A · cols(image)           conv forward, convT backward-data
/// - `scatter`:        image  = col2im(Aᵀ · planes)       conv backward-data, convT forward
/// - `weightProduct`:  [M, K] = planes · cols(image)ᵀ     weight gradients of both
public enum Convolution {
    /// How a batch meets the GEMM. `.folded` (the default): one GEMM over all B·P columns, then a
    /// reorder to [B, M, P]. `.perImage`: B GEMMs of P columns each, writing straight into place.
    /// Measured with `motionrnn bench-kernels --layout …` on the model's shapes (batch 8, 16×16):
    /// equal within a few percent single-threaded, folded ahead for backward-data (per-image
    /// repacks the weight for every image) and it makes one threaded OpenBLAS call instead of B.
    public enum BatchLayout: Sendable { case folded, perImage }

    // MARK: Convolution

    /// x [B, Cin, (D,) H, W], weight [Cout, Cin, (kd,) kh, kw], bias [Cout]
    /// → [B, Cout, (od,) oh, ow].
    public static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvGeometry,
                               layout: BatchLayout = .folded) -> Tensor {
        let m = weight.shape[0]
        return correlate(weight.pointer, rows: m, image: x, g, bias: bias?.pointer,
                         outputShape: g.outputShape(channels: m, rank: x.rank), layout: layout)
    }

    /// Gradients of `forward` from the output gradient [B, Cout, …]: the input gradient when
    /// `weight` is given, the weight gradient when `x` is given (each needs only the other's
    /// value), the bias gradient when `bias` is true.
    ///
    /// The column matrix of `x` is recomputed here rather than kept from the forward pass:
    /// im2col costs a few percent of the GEMMs, while keeping it would hold kd·kh·kw copies of
    /// every conv input alive until backward (25× the activations with 5×5 kernels).
    public static func backward(_ gradOutput: Tensor, x: Tensor?, weight: Tensor?, geometry g: ConvGeometry,
                                bias needBias: Bool, layout: BatchLayout = .folded)
        -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let m = gradOutput.shape[1], rank = gradOutput.rank
        let plane = g.outputPlane
        let folded = layout == .folded && (x != nil || weight != nil)
            ? ConvolutionLayout.fold(gradOutput.pointer, batch: g.batch, rows: m, plane: plane)
            : nil
        let gradBias = needBias
            ? ConvolutionLayout.sumPerRow(gradOutput.pointer, batch: g.batch, rows: m, plane: plane)
            : nil
        let gradWeight = x.map {
            weightProduct(planes: gradOutput, folded: folded, rows: m, image: $0, g, layout: layout)
                .reshaped(g.weightShape(outputChannels: m, rank: rank))
        }
        let gradInput = weight.map {
            scatter($0.pointer, rows: m, planes: gradOutput, folded: folded, g, channelBase: nil,
                    imageShape: g.imageShape(rank: rank), layout: layout)
        }
        return (gradInput, gradWeight, gradBias)
    }

    // MARK: Transposed convolution

    /// The transposed convolution (adjoint of `forward` in its input): x [B, Cin, (D,) H, W],
    /// weight [Cin, Cout, (kd,) kh, kw], bias [Cout]. `g` is the geometry of the convolution that
    /// maps the result back to x's size: its image side is the result [B, Cout, …], its output
    /// side x.
    public static func transposedForward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvGeometry,
                                         layout: BatchLayout = .folded) -> Tensor {
        scatter(weight.pointer, rows: x.shape[1], planes: x, folded: nil, g, channelBase: bias?.pointer,
                imageShape: g.imageShape(rank: x.rank), layout: layout)
    }

    /// Gradients of `transposedForward` from the output gradient [B, Cout, …]: the input gradient
    /// when `weight` is given, the weight gradient when `x` is given, the bias gradient when
    /// `bias` is true.
    public static func transposedBackward(_ gradOutput: Tensor, x: Tensor?, weight: Tensor?,
                                          geometry g: ConvGeometry, bias needBias: Bool,
                                          layout: BatchLayout = .folded)
        -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let rank = gradOutput.rank
        let gradBias = needBias
            ? ConvolutionLayout.sumPerRow(gradOutput.pointer, batch: g.batch, rows: g.channels,
                                          plane: g.inputPlane)
            : nil
        let gradWeight = x.map {
            // [Cin, Cout·k…] is exactly the [Cin, Cout, k…] layout.
            weightProduct(planes: $0, folded: nil, rows: $0.shape[1], image: gradOutput, g, layout: layout)
                .reshaped(g.weightShape(outputChannels: $0.shape[1], rank: rank))
        }
        let gradInput = weight.map {
            correlate($0.pointer, rows: $0.shape[0], image: gradOutput, g, bias: nil,
                      outputShape: g.outputShape(channels: $0.shape[0], rank: rank), layout: layout)
        }
        return (gradInput, gradWeight, gradBias)
    }

    // MARK: The three products

    /// The column matrix [K, B·P] of `image`; for a pointwise geometry just the batch-folded image.
    static func columns(_ image: Tensor, _ g: ConvGeometry) -> Tensor {
        if g.isPointwise {
            return ConvolutionLayout.fold(image.pointer, batch: g.batch, rows: g.channels, plane: g.inputPlane)
        }
        let columns = Tensor(uninitializedShape: [g.patchSize, g.columnCount])
        Im2Col.im2col(image.pointer, g, into: columns.mutablePointer)
        return columns
    }

    /// planes [B, M, P] = A[M, K] · cols(image) (+ bias[m]).
    static func correlate(_ a: UnsafePointer<Float>, rows m: Int, image: Tensor, _ g: ConvGeometry,
                          bias: UnsafePointer<Float>?, outputShape: [Int], layout: BatchLayout) -> Tensor {
        let k = g.patchSize, n = g.columnCount, plane = g.outputPlane
        let out = Tensor(uninitializedShape: outputShape)
        switch layout {
        case .folded:
            let cols = columns(image, g)
            let product = Tensor(uninitializedShape: [m, n])
            BLAS.gemm(m: m, n: n, k: k, a: a, lda: k, b: cols.pointer, ldb: n,
                      c: product.mutablePointer, ldc: n)
            ConvolutionLayout.unfold(product.pointer, batch: g.batch, rows: m, plane: plane, bias: bias,
                                     into: out.mutablePointer)
        case .perImage:
            // A pointwise convolution multiplies each image directly: no column matrix at all.
            let cols = g.isPointwise ? image : columns(image, g)
            let (batchStride, ldb) = g.isPointwise ? (k * plane, plane) : (plane, n)
            for item in 0..<g.batch {
                BLAS.gemm(m: m, n: plane, k: k, a: a, lda: k, b: cols.pointer + item * batchStride, ldb: ldb,
                          c: out.mutablePointer + item * m * plane, ldc: plane)
            }
            if let bias {
                ConvolutionLayout.addBias(bias, to: out.mutablePointer, batch: g.batch, rows: m, plane: plane)
            }
        }
        return out
    }

    /// image = col2im(Aᵀ · planes), each image channel starting from `channelBase` (or zero).
    /// `folded` is `planes` already in [M, B·P] layout, when the caller has it.
    static func scatter(_ a: UnsafePointer<Float>, rows m: Int, planes: Tensor, folded: Tensor?,
                        _ g: ConvGeometry, channelBase: UnsafePointer<Float>?, imageShape: [Int],
                        layout: BatchLayout) -> Tensor {
        let k = g.patchSize, n = g.columnCount, plane = g.outputPlane
        let image = Tensor(uninitializedShape: imageShape)
        if layout == .perImage && g.isPointwise {
            // Each image's result lands directly in place: no column matrix.
            for item in 0..<g.batch {
                BLAS.gemm(transposeA: true, m: k, n: plane, k: m, a: a, lda: k,
                          b: planes.pointer + item * m * plane, ldb: plane,
                          c: image.mutablePointer + item * k * plane, ldc: plane)
            }
            if let channelBase {
                ConvolutionLayout.addBias(channelBase, to: image.mutablePointer, batch: g.batch,
                                          rows: k, plane: plane)
            }
            return image
        }
        if layout == .folded && !g.isPointwise && m <= 128 {
            // With few planes (m) the product Aᵀ·planes is output-bound: a few channels at a time,
            // so the block col2im reads back is still in cache (about 2 MB) instead of a full
            // column matrix (tens of MB) in memory. Measured (bench-kernels): 10–15% faster
            // backward-data for conv_o/gate (m = 64); with large m the extra GEMM calls cost more.
            let source = folded ?? ConvolutionLayout.fold(planes.pointer, batch: g.batch, rows: m, plane: plane)
            let perChannel = g.kernelVolume * n
            let chunk = max(1, min(g.channels, (1 << 19) / max(perChannel, 1)))
            let block = UnsafeMutablePointer<Float>.allocate(capacity: chunk * perChannel)
            defer { block.deallocate() }
            for first in stride(from: 0, to: g.channels, by: chunk) {
                let channels = first..<min(g.channels, first + chunk)
                BLAS.gemm(transposeA: true, m: channels.count * g.kernelVolume, n: n, k: m,
                          a: a + first * g.kernelVolume, lda: k, b: source.pointer, ldb: n, c: block, ldc: n)
                Im2Col.col2im(block, g, into: image.mutablePointer, channelBase: channelBase, channelRange: channels)
            }
            return image
        }
        let columns = Tensor(uninitializedShape: [k, n])
        switch layout {
        case .folded:
            let source = folded ?? ConvolutionLayout.fold(planes.pointer, batch: g.batch, rows: m, plane: plane)
            BLAS.gemm(transposeA: true, m: k, n: n, k: m, a: a, lda: k, b: source.pointer, ldb: n,
                      c: columns.mutablePointer, ldc: n)
        case .perImage:
            for item in 0..<g.batch {
                BLAS.gemm(transposeA: true, m: k, n: plane, k: m, a: a, lda: k,
                          b: planes.pointer + item * m * plane, ldb: plane,
                          c: columns.mutablePointer + item * plane, ldc: n)
            }
        }
        if g.isPointwise {
            ConvolutionLayout.unfold(columns.pointer, batch: g.batch, rows: k, plane: plane, bias: channelBase,
                                     into: image.mutablePointer)
        } else {
            Im2Col.col2im(columns.pointer, g, into: image.mutablePointer, channelBase: channelBase)
        }
        return image
    }

    /// [M, K] = planes · cols(image)ᵀ, summed over the batch.
    static func weightProduct(planes: Tensor, folded: Tensor?, rows m: Int, image: Tensor, _ g: ConvGeometry,
                              layout: BatchLayout) -> Tensor {
        let k = g.patchSize, n = g.columnCount, plane = g.outputPlane
        let product = Tensor(uninitializedShape: [m, k])
        switch layout {
        case .folded:
            let source = folded ?? ConvolutionLayout.fold(planes.pointer, batch: g.batch, rows: m, plane: plane)
            let cols = columns(image, g)
            BLAS.gemm(transposeB: true, m: m, n: k, k: n, a: source.pointer, lda: n, b: cols.pointer, ldb: n,
                      c: product.mutablePointer, ldc: k)
        case .perImage:
            let cols = g.isPointwise ? image : columns(image, g)
            let (batchStride, ldb) = g.isPointwise ? (k * plane, plane) : (plane, n)
            for item in 0..<g.batch {
                BLAS.gemm(transposeB: true, m: m, n: k, k: plane, a: planes.pointer + item * m * plane, lda: plane,
                          b: cols.pointer + item * batchStride, ldb: ldb,
                          beta: item == 0 ? 0 : 1, c: product.mutablePointer, ldc: k)
            }
        }
        return product
    }
}
