@testable import Engine
import Testing
import TestSupport

/// Direct-loop references, written from the definitions (not from the im2col kernels).
enum ConvolutionReference {
    /// out[b, o, z, y, x] = bias[o] + Σ w[o, c, a, i, j] · x[b, c, z·sd − pd + a, y·sh − ph + i, x·sw − pw + j]
    /// over positions inside the input (zero padding). Rank 4 tensors are the depth-1 case.
    static func conv(_ x: Tensor, _ w: Tensor, _ bias: Tensor?,
                     stride: (Int, Int, Int), padding: (Int, Int, Int)) -> Tensor {
        let volume = x.rank == 5
        let (b, c) = (x.shape[0], x.shape[1])
        let (d, h, wd) = volume ? (x.shape[2], x.shape[3], x.shape[4]) : (1, x.shape[2], x.shape[3])
        let m = w.shape[0]
        let (kd, kh, kw) = volume ? (w.shape[2], w.shape[3], w.shape[4]) : (1, w.shape[2], w.shape[3])
        let od = (d + 2 * padding.0 - kd) / stride.0 + 1
        let oh = (h + 2 * padding.1 - kh) / stride.1 + 1
        let ow = (wd + 2 * padding.2 - kw) / stride.2 + 1
        let xs = x.scalars, ws = w.scalars, bs = bias?.scalars
        var out = [Float](repeating: 0, count: b * m * od * oh * ow)
        for n in 0..<b { for o in 0..<m { for z in 0..<od { for y in 0..<oh { for xx in 0..<ow {
            var total: Float = bs?[o] ?? 0
            for ci in 0..<c { for a in 0..<kd { for i in 0..<kh { for j in 0..<kw {
                let (iz, iy, ix) = (z * stride.0 - padding.0 + a, y * stride.1 - padding.1 + i,
                                    xx * stride.2 - padding.2 + j)
                guard iz >= 0, iz < d, iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                total += ws[(((o * c + ci) * kd + a) * kh + i) * kw + j]
                    * xs[(((n * c + ci) * d + iz) * h + iy) * wd + ix]
            } } } }
            out[(((n * m + o) * od + z) * oh + y) * ow + xx] = total
        } } } } }
        let shape = volume ? [b, m, od, oh, ow] : [b, m, oh, ow]
        return Tensor(shape: shape, scalars: out)
    }

    /// Transposed convolution as a scatter: every input pixel adds x · w[ci, co] into the output
    /// window at (iy·s − p, ix·s − p), clipped to the output.
    static func convTranspose(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, stride s: Int, padding p: Int) -> Tensor {
        let (b, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, kh, kw) = (w.shape[1], w.shape[2], w.shape[3])
        let (oh, ow) = ((h - 1) * s - 2 * p + kh, (wd - 1) * s - 2 * p + kw)
        let xs = x.scalars, ws = w.scalars, bs = bias?.scalars
        var out = [Float](repeating: 0, count: b * cout * oh * ow)
        for n in 0..<b { for co in 0..<cout { for i in 0..<(oh * ow) { out[(n * cout + co) * oh * ow + i] = bs?[co] ?? 0 } } }
        for n in 0..<b { for ci in 0..<cin { for iy in 0..<h { for ix in 0..<wd {
            let value = xs[((n * cin + ci) * h + iy) * wd + ix]
            for co in 0..<cout { for i in 0..<kh { for j in 0..<kw {
                let (y, xx) = (iy * s - p + i, ix * s - p + j)
                guard y >= 0, y < oh, xx >= 0, xx < ow else { continue }
                out[((n * cout + co) * oh + y) * ow + xx] += value * ws[((ci * cout + co) * kh + i) * kw + j]
            } } }
        } } } }
        return Tensor(shape: [b, cout, oh, ow], scalars: out)
    }
}

func expectClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-4,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    var worst: Float = 0
    for i in 0..<actual.count {
        worst = max(worst, abs(actual.pointer[i] - expected.pointer[i]) / (1 + abs(expected.pointer[i])))
    }
    #expect(worst <= tolerance, "largest relative difference \(worst)", sourceLocation: sourceLocation)
}

/// Input, weight and bias gradients of two ways of computing a convolution agree (all three given).
func expectSameGradients(_ a: (input: Tensor?, weight: Tensor?, bias: Tensor?),
                         _ b: (input: Tensor?, weight: Tensor?, bias: Tensor?),
                         sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose(a.input!, b.input!, sourceLocation: sourceLocation)
    expectClose(a.weight!, b.weight!, sourceLocation: sourceLocation)
    expectClose(a.bias!, b.bias!, sourceLocation: sourceLocation)
}

/// A 2-D convolution of random x and weight gives the same forward values and gradients in the
/// split and folded layouts (im2col: the layouts apply to it only). Returns what it made.
@discardableResult
func expectLayoutsAgree(x xShape: [Int], weight wShape: [Int], stride: Int, padding: Int,
                        using random: inout TestRandom, sourceLocation: SourceLocation = #_sourceLocation)
    -> (x: Tensor, weight: Tensor, geometry: ConvGeometry, gradOutput: Tensor) {
    let x = random.tensor(xShape), w = random.tensor(wShape)
    let g = ConvGeometry(op: "test", batch: xShape[0], channels: xShape[1], input: (1, xShape[2], xShape[3]),
                         kernel: (1, wShape[2], wShape[3]), stride: (1, stride, stride),
                         padding: (0, padding, padding))
    let dy = random.tensor(g.outputShape(channels: wShape[0], rank: 4))
    expectClose(Convolution.forward(x, weight: w, bias: nil, geometry: g, layout: .split, algorithm: .im2col),
                Convolution.forward(x, weight: w, bias: nil, geometry: g, layout: .folded, algorithm: .im2col),
                sourceLocation: sourceLocation)
    expectSameGradients(
        Convolution.backward(dy, x: x, weight: w, geometry: g, bias: true, layout: .split, algorithm: .im2col),
        Convolution.backward(dy, x: x, weight: w, geometry: g, bias: true, layout: .folded, algorithm: .im2col),
        sourceLocation: sourceLocation)
    return (x, w, g, dy)
}

@Suite struct ConvolutionForwardTests {
    /// (x shape, weight shape, stride, padding, bias)
    static let conv2dCases: [([Int], [Int], Int, Int, Bool)] = [
        ([2, 3, 7, 5], [4, 3, 3, 3], 1, 1, true),
        ([1, 2, 9, 6], [3, 2, 5, 5], 1, 2, false),
        ([3, 4, 8, 8], [5, 4, 5, 5], 2, 2, true),    // MotionGRU encoder: stride 2, pad k/2
        ([2, 6, 5, 7], [3, 6, 1, 1], 1, 0, true),    // pointwise (no im2col)
        ([2, 3, 6, 6], [2, 3, 1, 1], 2, 1, false),   // 1×1 but strided and padded: im2col path
        ([1, 2, 9, 9], [2, 2, 3, 3], 3, 0, false),   // warp's stride-3 convolution
        ([2, 2, 6, 5], [3, 2, 2, 4], 1, 0, true),    // rectangular kernel
        ([1, 1, 3, 3], [2, 1, 5, 5], 1, 2, true),    // kernel as large as the padded image
    ]

    @Test(arguments: [Convolution.BatchLayout.folded, .split])
    func conv2dMatchesDirectLoops(layout: Convolution.BatchLayout) {
        var random = TestRandom(seed: 1)
        for (xShape, wShape, stride, padding, hasBias) in Self.conv2dCases {
            let x = random.tensor(xShape), w = random.tensor(wShape)
            let bias = hasBias ? random.tensor([wShape[0]]) : nil
            let g = ConvGeometry(op: "test", batch: xShape[0], channels: xShape[1], input: (1, xShape[2], xShape[3]),
                                 kernel: (1, wShape[2], wShape[3]), stride: (1, stride, stride),
                                 padding: (0, padding, padding))
            let expected = ConvolutionReference.conv(x, w, bias, stride: (1, stride, stride),
                                                     padding: (0, padding, padding))
            expectClose(Convolution.forward(x, weight: w, bias: bias, geometry: g, layout: layout, algorithm: .im2col),
                        expected)
            if layout == .folded {
                let op = conv2d(Variable(x), weight: Variable(w), bias: bias.map { Variable($0) },
                                stride: stride, padding: padding)
                expectClose(op.value, expected)
            }
        }
    }

    @Test func conv2dHandValues() {
        // 1×1×3×3 image 1…9, 2×2 kernel of ones, padding 1: each output sums a 2×2 window.
        let x = Variable(Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init)))
        let w = Variable(Tensor(repeating: 1, shape: [1, 1, 2, 2]))
        let y = conv2d(x, weight: w, bias: Variable(Tensor(shape: [1], scalars: [0.5])), stride: 2, padding: 1)
        #expect(y.shape == [1, 1, 2, 2])
        #expect(y.value.scalars == [1.5, 5.5, 11.5, 28.5])
    }

    @Test(arguments: [Convolution.BatchLayout.folded, .split])
    func conv3dMatchesDirectLoops(layout: Convolution.BatchLayout) {
        var random = TestRandom(seed: 2)
        let cases: [([Int], [Int], (Int, Int, Int), (Int, Int, Int))] = [
            ([2, 3, 3, 6, 5], [4, 3, 2, 5, 5], (1, 1, 1), (0, 2, 2)),  // E3D-LSTM gates
            ([2, 3, 4, 4, 3], [2, 3, 2, 1, 1], (2, 1, 1), (0, 0, 0)),  // E3D-LSTM temporal reduction
            ([1, 2, 5, 4, 4], [3, 2, 3, 3, 2], (2, 1, 2), (1, 1, 0)),  // general
        ]
        for (xShape, wShape, stride, padding) in cases {
            let x = random.tensor(xShape), w = random.tensor(wShape), bias = random.tensor([wShape[0]])
            let g = ConvGeometry(op: "test", batch: xShape[0], channels: xShape[1],
                                 input: (xShape[2], xShape[3], xShape[4]), kernel: (wShape[2], wShape[3], wShape[4]),
                                 stride: stride, padding: padding)
            let expected = ConvolutionReference.conv(x, w, bias, stride: stride, padding: padding)
            expectClose(Convolution.forward(x, weight: w, bias: bias, geometry: g, layout: layout), expected)
            let op = conv3d(Variable(x), weight: Variable(w), bias: Variable(bias), stride: stride, padding: padding)
            expectClose(op.value, expected)
        }
    }

    @Test(arguments: [Convolution.BatchLayout.folded, .split])
    func convTranspose2dMatchesScatterLoops(layout: Convolution.BatchLayout) {
        var random = TestRandom(seed: 3)
        let cases: [([Int], [Int], Int, Int)] = [
            ([2, 4, 4, 4], [4, 3, 4, 4], 2, 1),  // MotionGRU decoder: 4×4 → 8×8
            ([1, 2, 3, 5], [2, 3, 3, 3], 1, 0),
            ([2, 3, 3, 4], [3, 2, 3, 2], 3, 1),
            ([2, 3, 4, 3], [3, 5, 1, 1], 1, 0),  // pointwise
        ]
        for (xShape, wShape, stride, padding) in cases {
            let x = random.tensor(xShape), w = random.tensor(wShape), bias = random.tensor([wShape[1]])
            let expected = ConvolutionReference.convTranspose(x, w, bias, stride: stride, padding: padding)
            let y = convTranspose2d(Variable(x), weight: Variable(w), bias: Variable(bias),
                                    stride: stride, padding: padding)
            expectClose(y.value, expected)
            let g = ConvGeometry(op: "test", batch: xShape[0], channels: wShape[1],
                                 input: (1, expected.shape[2], expected.shape[3]), kernel: (1, wShape[2], wShape[3]),
                                 stride: (1, stride, stride), padding: (0, padding, padding))
            expectClose(Convolution.transposedForward(x, weight: w, bias: bias, geometry: g, layout: layout), expected)
        }
        let decoded = convTranspose2d(Variable(random.tensor([1, 2, 8, 8])), weight: Variable(random.tensor([2, 3, 4, 4])),
                                      stride: 2, padding: 1)
        #expect(decoded.shape == [1, 3, 16, 16])
    }

    /// Both batch layouts give the same gradients (the FD tests exercise the default one, which
    /// folds products this small).
    @Test func batchLayoutsAgreeInBackward() {
        var random = TestRandom(seed: 4)
        let (x, w, g, dy) = expectLayoutsAgree(x: [3, 4, 6, 5], weight: [5, 4, 3, 3], stride: 2, padding: 1,
                                               using: &random)

        // Large enough that folded backward-data works in several channel blocks.
        let big = ConvGeometry(op: "test", batch: 1, channels: 4, input: (1, 256, 256), kernel: (1, 3, 3),
                               stride: (1, 1, 1), padding: (0, 1, 1))
        #expect(big.kernelVolume * big.columnCount * 2 > 1 << 19)
        let bigWeight = random.tensor([2, 4, 3, 3]), bigGrad = random.tensor(big.outputShape(channels: 2, rank: 4))
        expectClose(Convolution.backward(bigGrad, x: nil, weight: bigWeight, geometry: big, bias: false,
                                         algorithm: .im2col).input!,
                    Convolution.backward(bigGrad, x: nil, weight: bigWeight, geometry: big, bias: false,
                                         layout: .split, algorithm: .im2col).input!)

        expectSameGradients(
            Convolution.transposedBackward(x, x: dy, weight: w.reshaped([5, 4, 3, 3]), geometry: g, bias: true,
                                           layout: .split),
            Convolution.transposedBackward(x, x: dy, weight: w.reshaped([5, 4, 3, 3]), geometry: g, bias: true))
    }
}

@Suite struct ConvolutionGradientTests {
    @Test(arguments: [
        ([2, 2, 5, 4], [3, 2, 3, 3], 1, 1, true),
        ([1, 2, 5, 4], [3, 2, 3, 3], 1, 1, false),
        ([2, 2, 6, 5], [2, 2, 3, 3], 2, 0, true),
        ([1, 2, 7, 6], [2, 2, 5, 5], 2, 2, true),
        ([1, 2, 5, 6], [2, 2, 5, 5], 1, 2, false),
        ([2, 3, 3, 4], [2, 3, 1, 1], 1, 0, true),    // pointwise
        ([1, 2, 5, 5], [2, 2, 1, 1], 2, 1, true),    // strided, padded 1×1
        ([1, 2, 7, 7], [2, 2, 3, 3], 3, 0, false),   // stride 3
    ] as [([Int], [Int], Int, Int, Bool)])
    func conv2dGradients(_ xShape: [Int], _ wShape: [Int], stride: Int, padding: Int, hasBias: Bool) {
        var random = TestRandom(seed: 10)
        var inputs = [random.tensor(xShape), random.tensor(wShape)]
        if hasBias { inputs.append(random.tensor([wShape[0]])) }
        checkGradients(inputs) { v in
            conv2d(v[0], weight: v[1], bias: v.count > 2 ? v[2] : nil, stride: stride, padding: padding)
        }
    }

    @Test func convTranspose2dGradients() {
        var random = TestRandom(seed: 11)
        // MotionGRU decoder geometry: kernel 4, stride 2, padding 1.
        checkGradients([random.tensor([2, 3, 3, 3]), random.tensor([3, 2, 4, 4]), random.tensor([2])]) { v in
            convTranspose2d(v[0], weight: v[1], bias: v[2], stride: 2, padding: 1)
        }
        checkGradients([random.tensor([1, 2, 3, 4]), random.tensor([2, 3, 3, 2])]) { v in
            convTranspose2d(v[0], weight: v[1], stride: 1, padding: 0)
        }
        checkGradients([random.tensor([1, 2, 3, 3]), random.tensor([2, 2, 3, 3]), random.tensor([2])]) { v in
            convTranspose2d(v[0], weight: v[1], bias: v[2], stride: 3, padding: 1)
        }
    }

    @Test func conv3dGradients() {
        var random = TestRandom(seed: 12)
        checkGradients([random.tensor([1, 2, 3, 5, 4]), random.tensor([2, 2, 2, 5, 5]), random.tensor([2])]) { v in
            conv3d(v[0], weight: v[1], bias: v[2], stride: (1, 1, 1), padding: (0, 2, 2))
        }
        checkGradients([random.tensor([2, 3, 4, 3, 2]), random.tensor([2, 3, 2, 1, 1]), random.tensor([2])]) { v in
            conv3d(v[0], weight: v[1], bias: v[2], stride: (2, 1, 1))
        }
    }

    /// Only inputs that require gradients get them, and the ones computed are unchanged.
    @Test func gradientsOnlyWhereRequired() {
        var random = TestRandom(seed: 13)
        let (xv, wv, bv) = (random.tensor([2, 2, 5, 5]), random.tensor([3, 2, 3, 3]), random.tensor([3]))
        let seed = random.tensor([2, 3, 5, 5])
        func run(_ xGrad: Bool, _ wGrad: Bool, _ bGrad: Bool) -> (Variable, Variable, Variable) {
            let x = Variable(xv, requiresGrad: xGrad), w = Variable(wv, requiresGrad: wGrad)
            let b = Variable(bv, requiresGrad: bGrad)
            conv2d(x, weight: w, bias: b, padding: 1).backward(seed: seed)
            return (x, w, b)
        }
        let all = run(true, true, true)
        let onlyWeight = run(false, true, false)
        #expect(onlyWeight.0.grad == nil && onlyWeight.2.grad == nil)
        expectClose(onlyWeight.1.grad!, all.1.grad!)
        let onlyInput = run(true, false, false)
        #expect(onlyInput.1.grad == nil && onlyInput.2.grad == nil)
        expectClose(onlyInput.0.grad!, all.0.grad!)
        let none = conv2d(Variable(xv), weight: Variable(wv))
        #expect(none.isLeaf && !none.requiresGrad)
    }
}

/// An empty batch gives empty results and zero weight gradients (no crash in either layout).
@Suite struct EmptyBatchConvolutionTests {
    // Both algorithms: the layouts apply to im2col only.
    @Test(arguments: [Convolution.BatchLayout.folded, .split])
    func emptyBatchGivesZeroWeightGradient(layout: Convolution.BatchLayout) {
        var random = TestRandom(seed: 5)
        let w = random.tensor([3, 2, 3, 3])
        let g = ConvGeometry(op: "test", batch: 0, channels: 2, input: (1, 5, 5), kernel: (1, 3, 3),
                             stride: (1, 1, 1), padding: (0, 1, 1))
        let x = Tensor(zeros: [0, 2, 5, 5]), dy = Tensor(zeros: [0, 3, 5, 5])
        for algorithm in [Convolution.Algorithm.im2col, .winograd] {
            #expect(Convolution.forward(x, weight: w, bias: nil, geometry: g, layout: layout,
                                        algorithm: algorithm).shape == [0, 3, 5, 5])
            let grads = Convolution.backward(dy, x: x, weight: w, geometry: g, bias: true, layout: layout,
                                             algorithm: algorithm)
            #expect(grads.input?.shape == [0, 2, 5, 5])
            #expect(grads.weight?.scalars.allSatisfy { $0 == 0 } == true)
            #expect(grads.bias?.scalars == [0, 0, 0])
        }
    }
}

/// Split (image by image) and folded layouts agree for a pointwise convolution, whose single
/// images are their own column matrices.
@Suite struct PointwiseLayoutTests {
    @Test func pointwiseSplitMatchesFolded() {
        var random = TestRandom(seed: 6)
        expectLayoutsAgree(x: [3, 4, 5, 6], weight: [2, 4, 1, 1], stride: 1, padding: 0, using: &random)
    }
}
