import Engine
import Foundation

/// Times the convolution kernels on the shapes of MotionRNN-PredRNN in the paper's Moving MNIST
/// configuration and each against a raw SGEMM of its forward product's size, so the overhead of
/// im2col / col2im / reordering shows as a ratio (`motionrnn bench-kernels`).
package struct ConvolutionKernelBenchmark {
    /// One convolution of the model: 16×16 after patching, channels of the V-MNIST config.
    package struct Case: Sendable {
        package let name: String
        package let inChannels, outChannels, kernel, stride, padding, size: Int
        package var transposed = false
    }

    /// Seconds per call and GFLOP/s of each pass of one case, and of the SGEMM yardstick.
    package struct Measurement: Sendable {
        package let shape: Case
        /// The forward product's M, N, K.
        package let m, n, k: Int
        /// forward, backward-data, backward-weights, SGEMM.
        package let seconds: [Double]
        package var gigaflops: [Double] { seconds.map { 2.0 * Double(m) * Double(n) * Double(k) / $0 / 1e9 } }
    }

    package var batch: Int
    package var layout: Convolution.BatchLayout?
    /// The algorithm for a geometry (nil: the engine's choice).
    package var algorithm: (ConvGeometry) -> Convolution.Algorithm?
    package var warmup: Int, repetitions: Int
    package var fastest = false, cpuTime = false

    package init(batch: Int, layout: Convolution.BatchLayout?, algorithm: @escaping (ConvGeometry) -> Convolution.Algorithm?,
                warmup: Int, repetitions: Int, fastest: Bool, cpuTime: Bool) {
        self.batch = batch
        self.layout = layout
        self.algorithm = algorithm
        self.warmup = warmup
        self.repetitions = repetitions
        self.fastest = fastest
        self.cpuTime = cpuTime
    }

    /// The model's convolutions with `hidden` channels per layer.
    package static func cases(hidden h: Int) -> [Case] {
        [
            Case(name: "conv_x l0", inChannels: 16, outChannels: 7 * h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "conv_x l>=1", inChannels: h, outChannels: 7 * h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "conv_h", inChannels: h, outChannels: 4 * h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "conv_m", inChannels: h, outChannels: 3 * h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "conv_o", inChannels: 2 * h, outChannels: h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "gate", inChannels: 2 * h, outChannels: h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "conv_last 1x1", inChannels: 2 * h, outChannels: h, kernel: 1, stride: 1, padding: 0, size: 16),
            Case(name: "enc s2", inChannels: h, outChannels: 16, kernel: 5, stride: 2, padding: 2, size: 16),
            Case(name: "upd/rst/out 8x8", inChannels: 34, outChannels: 18, kernel: 3, stride: 1, padding: 1, size: 8),
            Case(name: "warp_gate 8x8", inChannels: 16, outChannels: 9, kernel: 3, stride: 1, padding: 1, size: 8),
            Case(name: "dec convT k4s2", inChannels: 16, outChannels: h, kernel: 4, stride: 2, padding: 1, size: 8,
                 transposed: true),
        ]
    }

    /// Forward, backward-data and backward-weights of `item`, and an SGEMM of the forward's size.
    package func measure(_ item: Case) -> Measurement {
        var random = SplitMix(seed: 7)
        let size = item.size, k = item.kernel
        let (forward, backwardData, backwardWeights): (() -> Void, () -> Void, () -> Void)
        let (m, n, kk): (Int, Int, Int)
        let layout = self.layout
        if item.transposed {
            // The conv geometry whose image side is the transposed convolution's output.
            let outSize = (size - 1) * item.stride - 2 * item.padding + k
            let g = ConvGeometry(op: item.name, batch: batch, channels: item.outChannels,
                                 input: (1, outSize, outSize), kernel: (1, k, k),
                                 stride: (1, item.stride, item.stride), padding: (0, item.padding, item.padding))
            let x = random.tensor([batch, item.inChannels, size, size])
            let w = random.tensor([item.inChannels, item.outChannels, k, k])
            let dy = random.tensor(g.imageShape(rank: 4))
            (m, n, kk) = (g.patchSize, g.columnCount, item.inChannels)
            forward = { _ = Convolution.transposedForward(x, weight: w, bias: nil, geometry: g, layout: layout) }
            backwardData = {
                _ = Convolution.transposedBackward(dy, x: nil, weight: w, geometry: g, bias: false, layout: layout)
            }
            backwardWeights = {
                _ = Convolution.transposedBackward(dy, x: x, weight: nil, geometry: g, bias: false, layout: layout)
            }
        } else {
            let g = ConvGeometry(op: item.name, batch: batch, channels: item.inChannels, input: (1, size, size),
                                 kernel: (1, k, k), stride: (1, item.stride, item.stride),
                                 padding: (0, item.padding, item.padding))
            let x = random.tensor([batch, item.inChannels, size, size])
            let w = random.tensor([item.outChannels, item.inChannels, k, k])
            let dy = random.tensor(g.outputShape(channels: item.outChannels, rank: 4))
            (m, n, kk) = (item.outChannels, g.columnCount, g.patchSize)
            let algorithm = self.algorithm(g)
            forward = {
                _ = Convolution.forward(x, weight: w, bias: nil, geometry: g, layout: layout, algorithm: algorithm)
            }
            backwardData = {
                _ = Convolution.backward(dy, x: nil, weight: w, geometry: g, bias: false, layout: layout,
                                         algorithm: algorithm)
            }
            backwardWeights = {
                _ = Convolution.backward(dy, x: x, weight: nil, geometry: g, bias: false, layout: layout,
                                         algorithm: algorithm)
            }
        }
        // Raw SGEMM of the forward product's size, on preallocated operands.
        let a = random.tensor([m, kk]), b = random.tensor([kk, n])
        var c = Tensor(zeros: [m, n])
        let sgemm = {
            c.withUnsafeMutableBufferPointer {
                BLAS.gemm(m: m, n: n, k: kk, a: a.pointer, lda: kk, b: b.pointer, ldb: n, c: $0.baseAddress!, ldc: n)
            }
        }
        return Measurement(shape: item, m: m, n: n, k: kk,
                           seconds: times([forward, backwardData, backwardWeights, sgemm]))
    }

    /// im2col and col2im alone for `item` (seconds per call), and the column matrix's size.
    package func measureColumnCopies(_ item: Case) -> (im2col: Double, col2im: Double, rows: Int, columns: Int) {
        var random = SplitMix(seed: 3)
        let g = ConvGeometry(op: item.name, batch: batch, channels: item.inChannels,
                             input: (1, item.size, item.size), kernel: (1, item.kernel, item.kernel),
                             stride: (1, item.stride, item.stride), padding: (0, item.padding, item.padding))
        let x = random.tensor(g.imageShape(rank: 4))
        let columns = random.tensor([g.patchSize, g.columnCount])
        let seconds = times([
            {
                _ = Tensor(shape: columns.shape) { Im2Col.im2col(x.pointer, g, into: $0.baseAddress!) }
            },
            {
                _ = Tensor(shape: x.shape) { Im2Col.col2im(columns.pointer, g, into: $0.baseAddress!) }
            },
        ])
        return (seconds[0], seconds[1], g.patchSize, g.columnCount)
    }

    private func times(_ bodies: [() -> Void]) -> [Double] {
        Timing.interleaved(bodies, warmup: warmup, repetitions: repetitions, fastest: fastest, cpuTime: cpuTime)
    }
}

/// Deterministic operands (values in [-1, 1)) without a dependency on the test support.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 23) - 1
    }
    mutating func tensor(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in next() })
    }
}
