import Engine
import Testing
import TestSupport

@Suite struct LossesTests {
    /// Prediction and a target that differs by at least 0.1 everywhere (away from |d|'s kink).
    static func pair(_ shape: [Int], seed: UInt64) -> (Tensor, Tensor) {
        var random = TestRandom(seed: seed)
        let p = random.tensor(shape)
        let t = Tensor(shape: shape, scalars: p.scalars.map { v in
            let offset = random.uniform(0.1, 1)
            return random.next() % 2 == 0 ? v + offset : v - offset
        })
        return (p, t)
    }

    @Test func valuesMatchNaiveReference() {
        let (p, t) = Self.pair([3, 4, 5, 7], seed: 31)
        var abs1 = 0.0, sq = 0.0
        for i in 0..<p.count {
            let d = Double(p.pointer[i]) - Double(t.pointer[i])
            abs1 += Swift.abs(d); sq += d * d
        }
        let n = Double(p.count)
        let mse = mseLoss(Variable(p), Variable(t)), l1 = l1Loss(Variable(p), Variable(t))
        let both = l1PlusL2Loss(Variable(p), Variable(t))
        #expect(mse.shape == [] && l1.shape == [] && both.shape == [])
        #expect(Swift.abs(Double(mse.value.scalar) - sq / n) <= 1e-6 * sq / n)
        #expect(Swift.abs(Double(l1.value.scalar) - abs1 / n) <= 1e-6 * abs1 / n)
        #expect(Swift.abs(Double(both.value.scalar) - (abs1 + sq) / n) <= 1e-6 * (abs1 + sq) / n)
        // Hand-computed: d = [1, -2, 0, 0.5].
        let a = Variable(Tensor(shape: [4], scalars: [1, -2, 0, 0.5]))
        let zero = Variable(Tensor(zeros: [4]))
        #expect(mseLoss(a, zero).value.scalar == 5.25 / 4)
        #expect(l1Loss(a, zero).value.scalar == 3.5 / 4)
        #expect(l1PlusL2Loss(a, zero).value.scalar == 8.75 / 4)
    }

    @Test func gradients() {
        let (p, t) = Self.pair([2, 3, 5], seed: 32)
        checkGradients([p, t]) { v in mseLoss(v[0], v[1]) }
        checkGradients([p, t]) { v in l1Loss(v[0], v[1]) }
        checkGradients([p, t]) { v in l1PlusL2Loss(v[0], v[1]) }
    }

    @Test func absoluteValueHasZeroSlopeAtZero() {
        let p = Variable(Tensor(shape: [4], scalars: [1, 2, 3, 4]), requiresGrad: true)
        let t = Variable(Tensor(shape: [4], scalars: [1, 0, 3, 5]))
        l1Loss(p, t).backward()
        #expect(p.grad?.scalars == [0, 0.25, 0, -0.25])
        let q = Variable(Tensor(shape: [4], scalars: [1, 2, 3, 4]), requiresGrad: true)
        l1PlusL2Loss(q, t).backward()
        // (sign(d) + 2d) / 4 with d = [0, 2, 0, -1]
        #expect(q.grad?.scalars == [0, 1.25, 0, -0.75])
    }

    @Test func largeInputsSplitOverCoresGiveTheSameValue() {
        let (p, t) = Self.pair([5, 70_001], seed: 33)
        var reference = 0.0
        for i in 0..<p.count {
            let d = Double(p.pointer[i]) - Double(t.pointer[i])
            reference += Swift.abs(d) + d * d
        }
        reference /= Double(p.count)
        let got = Double(l1PlusL2Loss(Variable(p), Variable(t)).value.scalar)
        #expect(Swift.abs(got - reference) <= 2e-7 * reference)
    }
}

@Suite struct GradientDifferenceLossTests {
    /// Frames [2, 3, 4, 2] whose neighbours have opposite signs, so every |Δp| ≥ 0.6 (away from
    /// |·|'s kink at 0); the target's differences are ≥ 4.2 in frame 0 and ≤ 0.2 in frame 1, so
    /// | |Δt| − |Δp| | ≥ 0.4 everywhere and both of its branches are taken.
    static func pair(seed: UInt64) -> (Tensor, Tensor) {
        var random = TestRandom(seed: seed)
        var p = [Float](), t = [Float]()
        for frame in 0..<2 {
            for y in 0..<3 {
                for x in 0..<4 {
                    for _ in 0..<2 {
                        let sign: Float = (x + y) % 2 == 0 ? 1 : -1
                        p.append(sign * random.uniform(0.3, 1))
                        t.append(sign * (frame == 0 ? 3 * random.uniform(0.7, 1) : random.uniform(0, 0.1)))
                    }
                }
            }
        }
        return (Tensor(shape: [2, 3, 4, 2], scalars: p), Tensor(shape: [2, 3, 4, 2], scalars: t))
    }

    @Test func valueMatchesANaiveSum() {
        let (p, t) = Self.pair(seed: 41)
        func at(_ x: Tensor, _ f: Int, _ y: Int, _ w: Int, _ c: Int) -> Double {
            Double(x.pointer[((f * 3 + y) * 4 + w) * 2 + c])
        }
        var total = 0.0
        for f in 0..<2 {
            for y in 0..<3 {
                for w in 0..<4 {
                    for c in 0..<2 {
                        if y < 2 {
                            total += abs(abs(at(t, f, y + 1, w, c) - at(t, f, y, w, c)) - abs(at(p, f, y + 1, w, c) - at(p, f, y, w, c)))
                        }
                        if w < 3 {
                            total += abs(abs(at(t, f, y, w + 1, c) - at(t, f, y, w, c)) - abs(at(p, f, y, w + 1, c) - at(p, f, y, w, c)))
                        }
                    }
                }
            }
        }
        let loss = Double(gradientDifferenceLoss(Variable(p), Variable(t)).value.scalar)
        #expect(abs(loss - total / 48) <= 1e-6 * total / 48)
        // Hand-computed, one frame 1 × 3 × 1: Δp = (2, −1), Δt = (0, 3): |0 − 2| + |3 − 1| = 4, over 3.
        let a = Variable(Tensor(shape: [1, 3, 1], scalars: [0, 2, 1]))
        let b = Variable(Tensor(shape: [1, 3, 1], scalars: [1, 1, 4]))
        #expect(gradientDifferenceLoss(a, b).value.scalar == Float(4.0 / 3))
        // Differences never cross from one frame into the next: two flat frames at different levels.
        let flat = Variable(Tensor(shape: [2, 2, 2, 1], scalars: [0, 0, 0, 0, 1, 1, 1, 1]))
        #expect(gradientDifferenceLoss(flat, Variable(Tensor(zeros: [2, 2, 2, 1]))).value.scalar == 0)
    }

    @Test func gradients() {
        let (p, t) = Self.pair(seed: 42)
        checkGradients([p, t]) { v in gradientDifferenceLoss(v[0], v[1]) }
    }
}
