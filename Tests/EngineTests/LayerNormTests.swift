import Engine
import Testing
import TestSupport

@Suite struct LayerNormTests {
    /// PyTorch nn.LayerNorm semantics computed naively in Double.
    static func reference(_ x: Tensor, _ w: Tensor?, _ b: Tensor?, groupSize d: Int,
                          epsilon: Double = 1e-5) -> [Double] {
        var out: [Double] = []
        for n in 0..<(x.count / d) {
            let xs = (0..<d).map { Double(x.pointer[n * d + $0]) }
            let mean = xs.reduce(0, +) / Double(d)
            let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d)
            for j in 0..<d {
                var y = (xs[j] - mean) / (variance + epsilon).squareRoot()
                if let w { y *= Double(w.pointer[j]) }
                if let b { y += Double(b.pointer[j]) }
                out.append(y)
            }
        }
        return out
    }

    /// Max of |got − want| / max(|want|, 1): relative for large outputs, absolute near 0 (where
    /// Float rounding of the affine's terms, not the statistics, sets the error).
    static func maxRelativeError(_ got: Tensor, _ want: [Double]) -> Double {
        zip(got.scalars, want).map { abs(Double($0) - $1) / max(abs($1), 1) }.max() ?? 0
    }

    @Test func valuesMatchReference() {
        var random = TestRandom(seed: 41)
        // NCHW normalised over [C,H,W] (group of 300 with a ragged SIMD tail), with affine.
        let x = random.tensor([4, 3, 10, 10], -2, 3)
        let w = random.tensor([3, 10, 10], 0.5, 1.5), b = random.tensor([3, 10, 10])
        let y = layerNorm(Variable(x), weight: Variable(w), bias: Variable(b), normalizedRank: 3)
        #expect(y.shape == x.shape)
        #expect(Self.maxRelativeError(y.value, Self.reference(x, w, b, groupSize: 300)) <= 1e-6)
        // Without affine, over the last dim only; and a large group split per sample.
        let plain = layerNorm(Variable(x), weight: nil, bias: nil, normalizedRank: 1)
        #expect(Self.maxRelativeError(plain.value, Self.reference(x, nil, nil, groupSize: 10)) <= 1e-6)
        let big = random.tensor([3, 16, 32, 32])
        let bigY = layerNorm(Variable(big), weight: nil, bias: nil, normalizedRank: 3)
        #expect(Self.maxRelativeError(bigY.value, Self.reference(big, nil, nil, groupSize: 16_384)) <= 1e-6)
    }

    @Test func statisticsStayAccurateFarFromZero() {
        // A large mean with a small spread: a one-pass Float variance would lose most digits.
        var random = TestRandom(seed: 42)
        let base = random.tensor([2, 4096], -0.01, 0.01)
        let x = Tensor(shape: base.shape, scalars: base.scalars.map { $0 + 300 })
        let y = layerNorm(Variable(x), weight: nil, bias: nil, normalizedRank: 1)
        // (The reference uses the same Float inputs, quantised at 3e-5 near 300.)
        #expect(Self.maxRelativeError(y.value, Self.reference(x, nil, nil, groupSize: 4096)) <= 1e-6)
    }

    @Test func constantSampleGivesBias() {
        let x = Tensor(repeating: 7, shape: [2, 5])
        let b = Tensor(shape: [5], scalars: [1, 2, 3, 4, 5])
        let y = layerNorm(Variable(x), weight: Variable(Tensor(repeating: 2, shape: [5])),
                          bias: Variable(b), normalizedRank: 1)
        #expect(y.value.scalars == [1, 2, 3, 4, 5, 1, 2, 3, 4, 5])
    }

    @Test func gradientsWithAffine() {
        var random = TestRandom(seed: 43)
        let x = random.tensor([2, 3, 2, 3])
        let w = random.tensor([3, 2, 3], 0.5, 1.5), b = random.tensor([3, 2, 3])
        checkGradients([x, w, b]) { v in
            layerNorm(v[0], weight: v[1], bias: v[2], normalizedRank: 3)
        }
        checkGradients([x, w]) { v in layerNorm(v[0], weight: v[1], bias: nil, normalizedRank: 3) }
        let w2 = random.tensor([2, 3], 0.5, 1.5), b2 = random.tensor([2, 3])
        checkGradients([x, b2]) { v in layerNorm(v[0], weight: nil, bias: v[1], normalizedRank: 2) }
        checkGradients([x, w2, b2]) { v in
            layerNorm(v[0], weight: v[1], bias: v[2], normalizedRank: 2)
        }
    }

    @Test func gradientsWithoutAffine() {
        var random = TestRandom(seed: 44)
        let x = random.tensor([3, 11])  // 11: the SIMD body and the tail
        checkGradients([x]) { v in layerNorm(v[0], weight: nil, bias: nil, normalizedRank: 1) }
        let y = random.tensor([2, 4, 5])
        checkGradients([y]) { v in layerNorm(v[0], weight: nil, bias: nil, normalizedRank: 2) }
    }

    @Test func largeGroupInputGradientIsOrthogonalToOnesAndNormalisedInput() {
        // Backward on a group with many 64-blocks: the input gradient of a normalised sample
        // is orthogonal to 1 and to x̂ (the two constraints the normalisation imposes).
        var random = TestRandom(seed: 45)
        let x = Variable(random.tensor([2, 4099]), requiresGrad: true)
        let w = Variable(random.tensor([4099], 0.5, 1.5), requiresGrad: true)
        let y = layerNorm(x, weight: nil, bias: nil, normalizedRank: 1)
        let out = y * w
        out.backward(seed: random.tensor([2, 4099]))
        let gx = x.grad!, xhat = y.value
        for n in 0..<2 {
            var s = 0.0, sx = 0.0, norm = 0.0
            for j in 0..<4099 {
                let g = Double(gx.pointer[n * 4099 + j])
                s += g; sx += g * Double(xhat.pointer[n * 4099 + j]); norm += g * g
            }
            #expect(abs(s) <= 1e-5 * norm.squareRoot() * 64 && abs(sx) <= 1e-5 * norm.squareRoot() * 64)
        }
    }
}
