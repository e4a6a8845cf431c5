import Engine
import Testing
import TestSupport

/// TF "SAME" padding amounts, constant padding and 3-D pooling against direct loops.
@Suite struct PoolingTests {
    @Test func sameAmountsAsTensorFlow() {
        // SPEC §11.2's I3D table: conv 1a (7, stride 2) on 16 frames and 224 pixels, the
        // stride-2 pools, the 2×2×2 pool on 4 and 5 steps, and stride 1 (symmetric).
        #expect(SamePadding.amounts(size: 16, kernel: 7, stride: 2) == (2, 3))
        #expect(SamePadding.amounts(size: 224, kernel: 7, stride: 2) == (2, 3))
        #expect(SamePadding.amounts(size: 112, kernel: 3, stride: 2) == (0, 1))
        #expect(SamePadding.amounts(size: 8, kernel: 1, stride: 1) == (0, 0))
        #expect(SamePadding.amounts(size: 4, kernel: 2, stride: 2) == (0, 0))
        #expect(SamePadding.amounts(size: 5, kernel: 2, stride: 2) == (0, 1))
        #expect(SamePadding.amounts(size: 20, kernel: 7, stride: 2) == (2, 3))
        #expect(SamePadding.amounts(size: 28, kernel: 3, stride: 1) == (1, 1))
        // A stride larger than the kernel: nothing to pad.
        #expect(SamePadding.amounts(size: 7, kernel: 1, stride: 3) == (0, 0))
    }

    @Test func padPlacesValuesAndFill() {
        var random = TestRandom(seed: 11)
        let x = random.tensor([2, 3, 2, 3, 4])
        let pads = [(before: 1, after: 0), (before: 0, after: 2), (before: 2, after: 1)]
        let padded = SamePadding.pad(x, pads, value: -7)
        #expect(padded.shape == [2, 3, 3, 5, 7])
        for b in 0..<2 { for c in 0..<3 { for z in 0..<3 { for y in 0..<5 { for w in 0..<7 {
            let (iz, iy, ix) = (z - 1, y, w - 2)
            let inside = iz >= 0 && iz < 2 && iy < 3 && ix >= 0 && ix < 4
            #expect(padded[b, c, z, y, w] == (inside ? x[b, c, iz, iy, ix] : -7))
        } } } } }
    }

    /// max (or mean) over the window cells inside the input; padded cells are skipped.
    static func pool(_ reduction: Pooling3d.Reduction, _ x: Tensor, kernel k: [Int], stride s: [Int],
                     pads: [(before: Int, after: Int)]) -> Tensor {
        let size = Array(x.shape[2...])
        let out = (0..<3).map { (size[$0] + pads[$0].before + pads[$0].after - k[$0]) / s[$0] + 1 }
        var values: [Float] = []
        for b in 0..<x.shape[0] { for c in 0..<x.shape[1] {
            for z in 0..<out[0] { for y in 0..<out[1] { for w in 0..<out[2] {
                var cells: [Float] = []
                for a in 0..<k[0] { for i in 0..<k[1] { for j in 0..<k[2] {
                    let (iz, iy, ix) = (z * s[0] - pads[0].before + a, y * s[1] - pads[1].before + i,
                                        w * s[2] - pads[2].before + j)
                    if iz >= 0, iz < size[0], iy >= 0, iy < size[1], ix >= 0, ix < size[2] {
                        cells.append(x[b, c, iz, iy, ix])
                    }
                } } }
                values.append(reduction == .max ? cells.max()! : cells.reduce(0, +) / Float(cells.count))
            } } }
        } }
        return Tensor(shape: [x.shape[0], x.shape[1]] + out, scalars: values)
    }

    @Test func maxPoolWithSamePaddingIgnoresPaddedCells() {
        var random = TestRandom(seed: 12)
        // All values negative: a pool that padded with 0 would return 0 at the borders.
        let cases: [([Int], [Int], [Int])] = [
            ([2, 3, 5, 7, 6], [3, 3, 3], [2, 2, 2]),   // pool 4a: asymmetric (0, 1) pads
            ([1, 2, 4, 9, 9], [1, 3, 3], [1, 2, 2]),   // pools 2a/3a
            ([2, 2, 5, 4, 4], [2, 2, 2], [2, 2, 2]),   // pool 5a at odd length: (0, 1) in time
            ([1, 4, 3, 5, 4], [3, 3, 3], [1, 1, 1]),   // Mixed blocks' branch 3: (1, 1)
            ([1, 2, 3, 1, 1], [2, 2, 2], [2, 2, 2]),   // a single cell: the window's second is padding
            ([1, 1, 2, 3, 9], [1, 1, 4], [1, 1, 3]),   // stride 3 along the width: (1, 2) pads
        ]
        for (shape, kernel, stride) in cases {
            let x = Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in random.uniform(-3, -1) })
            let pads = SamePadding.amounts(shape: shape, kernel: (kernel[0], kernel[1], kernel[2]),
                                           stride: (stride[0], stride[1], stride[2]))
            let ours = Pooling3d.apply(.max, x, kernel: (kernel[0], kernel[1], kernel[2]),
                                       stride: (stride[0], stride[1], stride[2]), pads: pads)
            let expected = Self.pool(.max, x, kernel: kernel, stride: stride, pads: pads)
            #expect(ours.shape == expected.shape, "\(shape) \(kernel) \(stride)")
            #expect(ours.scalars == expected.scalars, "\(shape) \(kernel) \(stride)")   // max is exact
        }
    }

    @Test func averagePoolValid() {
        var random = TestRandom(seed: 13)
        let x = random.tensor([2, 3, 3, 7, 7])   // the logits pool: 2×7×7 → [T − 1, 1, 1]
        let ours = Pooling3d.apply(.average, x, kernel: (2, 7, 7), stride: (1, 1, 1))
        let expected = Self.pool(.average, x, kernel: [2, 7, 7], stride: [1, 1, 1], pads: [(0, 0), (0, 0), (0, 0)])
        #expect(ours.shape == [2, 3, 2, 1, 1])
        for (a, b) in zip(ours.scalars, expected.scalars) { #expect(abs(a - b) <= 1e-6) }
        let y = random.tensor([1, 2, 5, 6, 5])
        let strided = Pooling3d.apply(.average, y, kernel: (2, 3, 2), stride: (2, 3, 1))
        let stridedExpected = Self.pool(.average, y, kernel: [2, 3, 2], stride: [2, 3, 1], pads: [(0, 0), (0, 0), (0, 0)])
        #expect(strided.shape == [1, 2, 2, 2, 4])
        for (a, b) in zip(strided.scalars, stridedExpected.scalars) { #expect(abs(a - b) <= 1e-6) }
    }
}

/// The chunked valid convolution against the direct loops, with chunks small enough to cut
/// output frames into several row blocks (and a last, shorter one).
@Suite struct ChunkedConvolutionTests {
    @Test(arguments: [
        ([2, 3, 7, 11, 10], [4, 3, 7, 7, 7], (2, 2, 2)),   // I3D's stem: 7×7×7, stride 2
        ([1, 2, 5, 9, 8], [5, 2, 3, 3, 3], (1, 1, 1)),
        ([2, 4, 4, 6, 7], [3, 4, 2, 1, 3], (1, 2, 3)),
    ])
    func matchesDirectLoops(xShape: [Int], wShape: [Int], stride: (Int, Int, Int)) {
        var random = TestRandom(seed: UInt64(xShape.reduce(0, +)))
        let x = random.tensor(xShape), w = random.tensor(wShape), bias = random.tensor([wShape[0]])
        let expected = ConvolutionReference.conv(x, w, bias, stride: stride, padding: (0, 0, 0))
        for chunk in [1, 200, ChunkedConvolution.defaultChunk] {
            expectClose(ChunkedConvolution.forward(x, weight: w, bias: bias, stride: stride, chunk: chunk), expected)
        }
        expectClose(ChunkedConvolution.forward(x, weight: w, bias: nil, stride: stride),
                    ConvolutionReference.conv(x, w, nil, stride: stride, padding: (0, 0, 0)))
        let rectified = Tensor(shape: expected.shape, scalars: expected.scalars.map { max($0, 0) })
        expectClose(ChunkedConvolution.forward(x, weight: w, bias: bias, stride: stride, relu: true, chunk: 300), rectified)
    }
}
