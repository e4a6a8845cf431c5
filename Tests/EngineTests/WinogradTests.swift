import CKernels
@testable import Engine
import Testing
import TestSupport

/// Winograd convolutions against the direct loops and the im2col kernels. Both compute the same
/// sum and differ by float rounding only: forward within `expectClose`'s 1e-4 of 1 + |value|,
/// gradients within 1e-5 of their largest entry.
@Suite struct WinogradTests {
    /// The algorithm computes the correlation for every (m, r) the construction supports, not
    /// only the ones the convolution uses. On outer products the 2-D correlation factorises:
    /// correlating d dᵀ with g gᵀ gives y yᵀ, y the 1-D correlation y_i = Σ_k g_k d_{i+k}.
    @Test(arguments: [(2, 3), (2, 5), (4, 3), (4, 5), (3, 3), (6, 3), (1, 5), (3, 1)])
    func algorithmIsCorrelation(m: Int, r: Int) {
        let w = WinogradTransforms(outputTile: m, kernelSize: r)
        let n = w.tile
        var random = TestRandom(seed: UInt64(10 * m + r))
        let g = random.tensor([r]).scalars.map(Double.init), d = random.tensor([n]).scalars.map(Double.init)
        func outer(_ v: [Double]) -> [Float] { v.flatMap { a in v.map { Float(a * $0) } } }
        let u = sandwich(w.kernelTransform, outer(g)), v = sandwich(w.inputTransform, outer(d))
        let y = sandwich(w.outputTransform, zip(u, v).map { $0 * $1 })
        let direct = (0..<m).map { i in (0..<r).reduce(0.0) { $0 + g[$1] * d[i + $1] } }
        for a in 0..<m {
            for b in 0..<m {
                #expect(abs(Double(y[a * m + b]) - direct[a] * direct[b]) <= 1e-4, "F(\(m), \(r)) at (\(a), \(b))")
            }
        }
    }

    /// (m, r) = (2, 5): Aᵀ, G and Bᵀ are the Toom-Cook matrices at 0, ±1, ±2 and infinity.
    @Test func matricesOfF2x5() {
        let w = WinogradTransforms(outputTile: 2, kernelSize: 5)
        #expect(w.tile == 6)
        #expect(w.outputTransform.rows == 2 && w.outputTransform.columns == 6)
        #expect(w.kernelTransform.rows == 6 && w.kernelTransform.columns == 5)
        #expect(w.inputTransform.rows == 6 && w.inputTransform.columns == 6)
        #expect(w.kernelAdjoint.rows == 5 && w.kernelAdjoint.columns == 6)
    }

    /// out = T X Tᵀ for one p×p matrix X.
    private func sandwich(_ t: SandwichTransform, _ x: [Float]) -> [Float] {
        var output = [Float](repeating: 0, count: t.rows * t.rows)
        x.withUnsafeBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                t.apply(inBuffer.baseAddress!, inputStride: 1, into: outBuffer.baseAddress!, outputStride: 1, count: 1)
            }
        }
        return output
    }

    /// The C kernel's AVX2 version (unrolled sizes, the generic one, partial vectors) gives the
    /// portable loops' results.
    @Test(arguments: [(6, 6), (2, 6), (6, 2), (6, 5), (5, 6), (4, 4), (2, 4), (4, 2), (4, 3), (3, 4), (3, 7), (8, 8)])
    func kernelVersionsAgree(q: Int, p: Int) {
        var random = TestRandom(seed: UInt64(q * 16 + p))
        let matrix = random.tensor([q, p]).scalars
        for count in [1, 7, 8, 13, 35] {
            let input = random.tensor([p * p, count]).scalars
            let inputOffsets = (0..<(p * p)).map { $0 * count }, outputOffsets = (0..<(q * q)).map { $0 * count }
            var fast = [Float](repeating: .nan, count: q * q * count), portable = fast
            mrnn_sandwich(matrix, Int32(q), Int32(p), input, inputOffsets, &fast, outputOffsets, count)
            mrnn_sandwich_portable(matrix, Int32(q), Int32(p), input, inputOffsets, &portable, outputOffsets, count)
            for (a, b) in zip(fast, portable) { #expect(abs(a - b) <= 1e-5 * (1 + abs(b)), "\(q)×\(p), \(count) lanes") }
        }
    }

    /// The hot transforms (input, output, output adjoint) of both tile sizes in use run the C
    /// kernel's versions compiled for their constants (on an AVX2 machine), and those agree with
    /// the portable loops.
    @Test(arguments: [3, 5])
    func transformsInUseAreSpecialised(kernelSize: Int) {
        let w = WinogradTransforms(outputTile: 2, kernelSize: kernelSize)
        for t in [w.inputTransform, w.outputTransform, w.outputAdjoint] {
            #expect(t.isSpecialised == (mrnn_cpu_has_avx2_fma() == 1),
                    "\(t.rows)×\(t.columns) transform of F(2, \(kernelSize))")
            var random = TestRandom(seed: UInt64(t.rows * 16 + t.columns))
            for count in [1, 8, 13, 35] {
                let input = random.tensor([t.columns * t.columns, count]).scalars
                let inputOffsets = (0..<(t.columns * t.columns)).map { $0 * count }
                let outputOffsets = (0..<(t.rows * t.rows)).map { $0 * count }
                var fast = [Float](repeating: .nan, count: t.rows * t.rows * count), portable = fast
                mrnn_sandwich(t.entries, Int32(t.rows), Int32(t.columns), input, inputOffsets, &fast, outputOffsets, count)
                mrnn_sandwich_portable(t.entries, Int32(t.rows), Int32(t.columns), input, inputOffsets, &portable,
                                       outputOffsets, count)
                for (a, b) in zip(fast, portable) { #expect(abs(a - b) <= 1e-5 * (1 + abs(b))) }
            }
        }
        #expect(!w.kernelTransform.isSpecialised)
    }

    /// The AVX-512 version of the known transforms (two blocks of 8 lanes per register, from one
    /// run or two) gives the AVX2 version's bits, whatever the runs and lanes: full blocks that
    /// pair within a run or across runs, a block left without a partner, partial tails.
    @Test(arguments: [3, 5])
    func avx512TransformsGiveTheAVX2Bits(kernelSize: Int) {
        let w = WinogradTransforms(outputTile: 2, kernelSize: kernelSize)
        for t in [w.inputTransform, w.outputTransform, w.outputAdjoint] {
            var random = TestRandom(seed: UInt64(t.rows * 16 + t.columns + kernelSize))
            for (runs, count) in [(1, 8), (2, 8), (3, 8), (8, 8), (1, 16), (1, 64), (3, 13), (2, 35), (1, 5)] {
                let (p, q) = (t.columns, t.rows)
                // Runs side by side: vector k of run g starts at k·runs·count + g·count.
                let input = random.tensor([p * p, runs * count]).scalars
                let inputOffsets = (0..<(p * p)).map { $0 * runs * count }
                let outputOffsets = (0..<(q * q)).map { $0 * runs * count }
                let starts = (0..<runs).map { $0 * count }
                var results: [[Float]] = []
                for level in Int32(0)...2 {
                    var output = [Float](repeating: .nan, count: q * q * runs * count)
                    mrnn_sandwich_runs_at(level, t.entries, Int32(q), Int32(p), input, inputOffsets, starts, &output,
                                          outputOffsets, starts, runs, count)
                    results.append(output)
                }
                let context = "\(q)×\(p) transform of F(2, \(kernelSize)), \(runs) runs of \(count)"
                #expect(results[2].map(\.bitPattern) == results[1].map(\.bitPattern), "\(context)")
                for (a, b) in zip(results[2], results[0]) { #expect(abs(a - b) <= 1e-5 * (1 + abs(b)), "\(context)") }
            }
        }
    }

    /// The packed GEMM, each version the CPU runs (portable; AVX2: full 6×16 blocks, row
    /// remainders 1–5; AVX-512: 12 rows × 1 or 2 panels, remainders 1–11), with a last 8-column
    /// panel and A read transposed, against a direct sum.
    @Test(arguments: [(6, 16, 5), (13, 40, 7), (1, 8, 3), (20, 32, 64), (5, 24, 1), (25, 48, 9), (12, 40, 5), (23, 64, 3)])
    func packedGemmMatchesDirectSum(m: Int, n: Int, k: Int) {
        var random = TestRandom(seed: UInt64(m * 100 + n))
        let a = random.tensor([m, k]).scalars, b = random.tensor([k, n]).scalars
        // Pack B into panels of 16 columns (a last one of 8).
        var packed = [Float]()
        for first in stride(from: 0, to: n, by: Int(MRNN_PANEL)) {
            let width = min(Int(MRNN_PANEL), n - first)
            for row in 0..<k { packed += b[(row * n + first)..<(row * n + first + width)] }
        }
        let transposedA = (0..<(k * m)).map { a[($0 % m) * k + $0 / m] }   // [k, m]
        for transposed in [false, true] {
            let source = transposed ? transposedA : a
            let (rowStride, kStride) = transposed ? (1, m) : (k, 1)
            for level in Int32(0)...2 {
                var product = [Float](repeating: .nan, count: m * n)
                mrnn_gemm_packed_at(level, m, n, k, source, rowStride, kStride, packed, &product, n)
                for i in 0..<m {
                    for j in 0..<n {
                        let direct = (0..<k).reduce(Float(0)) { $0 + a[i * k + $1] * b[$1 * n + j] }
                        #expect(abs(product[i * n + j] - direct) <= 1e-4,
                                "level \(level) (\(i), \(j)) of \(m)×\(n)×\(k), A transposed: \(transposed)")
                    }
                }
            }
        }
    }

    /// (x shape, weight shape, padding, bias): 3×3 and 5×5, every padding from 0 to r − 1,
    /// sizes that leave partial tiles, one-pixel images, batches that split over cores and
    /// channel counts that need several row chunks and image blocks.
    static let cases: [([Int], [Int], Int, Bool)] = [
        ([2, 3, 7, 5], [4, 3, 3, 3], 1, true),
        ([1, 2, 9, 6], [3, 2, 5, 5], 2, false),
        ([3, 4, 8, 8], [5, 4, 5, 5], 0, true),
        ([2, 2, 6, 7], [3, 2, 5, 5], 1, true),
        ([2, 2, 5, 5], [3, 2, 5, 5], 3, false),
        ([2, 2, 5, 6], [3, 2, 5, 5], 4, true),
        ([1, 3, 4, 4], [2, 3, 3, 3], 2, false),
        ([1, 1, 1, 1], [2, 1, 3, 3], 1, true),
        ([1, 1, 3, 3], [2, 1, 5, 5], 2, true),
        ([5, 6, 16, 16], [40, 6, 5, 5], 2, true),
        ([4, 20, 16, 16], [150, 20, 5, 5], 2, false),
    ]

    /// The plane ↔ block copies of the C kernels for any block size m (the convolutions use 2,
    /// which has its own loops, 16 columns per step with AVX2, here with and without a partial
    /// last step): pixel (y, x) is element (y mod m, x mod m) of tile (y/m, x/m), and the phase
    /// split puts padded column X at phase X mod m, index X / m, for even and odd paddings.
    @Test(arguments: [(2, 5, 7), (2, 4, 4), (3, 7, 5), (1, 3, 2), (2, 3, 16), (2, 4, 35), (2, 16, 33)])
    func planeLayouts(m: Int, height: Int, width: Int) {
        let tileRows = (height + m - 1) / m, laneColumns = ((width + m - 1) / m + 7) / 8 * 8
        let perImage = tileRows * laneColumns
        let plane = (0..<(height * width)).map { Float($0) + 0.5 }
        var blocks = [Float](repeating: -1, count: m * m * perImage)
        mrnn_plane_to_blocks(plane, perImage, laneColumns, m, height, width, &blocks)
        var back = [Float](repeating: 0, count: height * width)
        mrnn_blocks_to_plane(blocks, perImage, laneColumns, m, height, width, 2, &back)
        for y in 0..<height {
            for x in 0..<width {
                let element = ((y % m) * m + x % m) * perImage + (y / m) * laneColumns + x / m
                #expect(blocks[element] == plane[y * width + x])
                #expect(back[y * width + x] == plane[y * width + x] + 2)
            }
        }
        #expect(blocks.filter { $0 == -1 }.count == blocks.count - height * width)   // nothing else written
        for padding in 0...(m + 1) {
            let phase = (width + 2 * padding + m - 1) / m, rowStride = m * phase
            var split = [Float](repeating: 0, count: (height + 2 * padding) * rowStride)
            mrnn_phase_split(plane, height, width, m, padding, &split, phase, rowStride)
            for y in 0..<height {
                for x in 0..<width {
                    let column = x + padding
                    #expect(split[(y + padding) * rowStride + (column % m) * phase + column / m] == plane[y * width + x],
                            "padding \(padding)")
                }
            }
            #expect(split.filter { $0 != 0 }.count == height * width, "padding \(padding)")
        }
    }

    @Test func forwardMatchesDirectLoops() {
        var random = TestRandom(seed: 21)
        for (xShape, wShape, padding, hasBias) in Self.cases {
            let x = random.tensor(xShape), w = random.tensor(wShape)
            let bias = hasBias ? random.tensor([wShape[0]]) : nil
            let g = geometry(xShape, wShape, padding)
            #expect(WinogradConvolution.supports(g))
            let expected = ConvolutionReference.conv(x, w, bias, stride: (1, 1, 1), padding: (0, padding, padding))
            expectClose(Convolution.forward(x, weight: w, bias: bias, geometry: g, algorithm: .winograd), expected)
        }
    }

    @Test func backwardMatchesIm2col() {
        var random = TestRandom(seed: 22)
        for (xShape, wShape, padding, hasBias) in Self.cases {
            let x = random.tensor(xShape), w = random.tensor(wShape)
            let g = geometry(xShape, wShape, padding)
            let dy = random.tensor(g.outputShape(channels: wShape[0], rank: 4))
            let winograd = Convolution.backward(dy, x: x, weight: w, geometry: g, bias: hasBias, algorithm: .winograd)
            let im2col = Convolution.backward(dy, x: x, weight: w, geometry: g, bias: hasBias, algorithm: .im2col)
            expectCloseToScale(winograd.input!, im2col.input!)
            expectCloseToScale(winograd.weight!, im2col.weight!)
            if hasBias { expectClose(winograd.bias!, im2col.bias!) }
        }
    }

    /// A depth-1 3-D convolution (E3D-LSTM on one frame) keeps its rank-5 shapes.
    @Test func depthOneVolumeKeepsItsRank() {
        var random = TestRandom(seed: 23)
        let x = random.tensor([2, 3, 1, 6, 6]), w = random.tensor([4, 3, 1, 3, 3])
        let g = ConvGeometry(op: "test", batch: 2, channels: 3, input: (1, 6, 6), kernel: (1, 3, 3),
                             stride: (1, 1, 1), padding: (0, 1, 1))
        #expect(WinogradConvolution.supports(g))
        let y = Convolution.forward(x, weight: w, bias: nil, geometry: g)
        #expect(y.shape == [2, 4, 1, 6, 6])
        expectClose(y, ConvolutionReference.conv(x, w, nil, stride: (1, 1, 1), padding: (0, 1, 1)))
        let grads = Convolution.backward(random.tensor(y.shape), x: x, weight: w, geometry: g, bias: false)
        #expect(grads.input?.shape == x.shape && grads.weight?.shape == w.shape)
    }

    /// Geometries Winograd does not take: strided, rectangular, 1×1, 7×7, 3-D, padding ≥ r.
    @Test func unsupportedGeometriesUseIm2col() {
        func g(_ kernel: (Int, Int, Int), stride: Int = 1, padding: Int = 1, depth: Int = 1) -> ConvGeometry {
            ConvGeometry(op: "test", batch: 1, channels: 2, input: (depth, 8, 8), kernel: kernel,
                         stride: (1, stride, stride), padding: (0, padding, padding))
        }
        #expect(WinogradConvolution.supports(g((1, 3, 3))))
        #expect(!WinogradConvolution.supports(g((1, 3, 3), stride: 2)))
        #expect(!WinogradConvolution.supports(g((1, 3, 5))))
        #expect(!WinogradConvolution.supports(g((1, 1, 1), padding: 0)))
        #expect(!WinogradConvolution.supports(g((1, 7, 7), padding: 3)))
        #expect(!WinogradConvolution.supports(g((2, 3, 3), depth: 3)))
        #expect(!WinogradConvolution.supports(g((1, 3, 3), padding: 3)))
    }

    /// max |actual − expected| ≤ tolerance · max |expected| (the fixtures' rule, 10× tighter).
    /// Gradients summed over a batch carry absolute rounding errors of their largest entries
    /// into their smallest, so an element-wise relative bound would measure nothing useful.
    private func expectCloseToScale(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
        var worst: Float = 0, scale: Float = 0
        for i in 0..<min(actual.count, expected.count) {
            worst = max(worst, abs(actual.pointer[i] - expected.pointer[i]))
            scale = max(scale, abs(expected.pointer[i]))
        }
        #expect(worst <= tolerance * scale, "largest difference \(worst), largest value \(scale)",
                sourceLocation: sourceLocation)
    }

    private func geometry(_ xShape: [Int], _ wShape: [Int], _ padding: Int) -> ConvGeometry {
        ConvGeometry(op: "test", batch: xShape[0], channels: xShape[1], input: (1, xShape[2], xShape[3]),
                     kernel: (1, wShape[2], wShape[3]), stride: (1, 1, 1), padding: (0, padding, padding))
    }
}
