import Engine
import Foundation
import Testing
import TestSupport

@Suite struct DeformableSamplingTests {
    // MARK: - Inputs

    /// Offsets whose fractional parts lie in [0.1, 0.9]: sampling points stay ≥ 0.1 away from the
    /// integer kinks of bilinear sampling (and from the clamp bounds 0 and H+1), far more than the
    /// FD step. Integer parts in [-span, span] push some points outside [0, H+1].
    static func offsets(_ shape: [Int], span: Int, random: inout TestRandom) -> Tensor {
        let values = (0..<Shape.elementCount(shape)).map { _ -> Float in
            let whole = Float(Int(random.next() % UInt64(2 * span + 1)) - span)
            return whole + random.uniform(0.1, 0.9)
        }
        return Tensor(shape: shape, scalars: values)
    }

    static func inputs(_ b: Int, _ c: Int, _ h: Int, _ w: Int, span: Int, seed: UInt64)
        -> (x: Tensor, offsets: Tensor, mask: Tensor) {
        var random = TestRandom(seed: seed)
        let x = random.tensor([b, c, h, w])
        let offsets = offsets([b, 18, h, w], span: span, random: &random)
        let mask = random.tensor([b, 9, h, w], 0.05, 0.95)
        return (x, offsets, mask)
    }

    /// Whether neighbour n of pixel (i, j) samples outside [0, H+1] (rows) / [0, W+1] (columns).
    static func clamped(_ offsets: Tensor, b: Int, n: Int, i: Int, j: Int, column: Bool) -> Bool {
        let h = offsets.shape[2], w = offsets.shape[3]
        let raw = column ? Float(j + n % 3) + offsets[b, 9 + n, i, j] : Float(i + n / 3) + offsets[b, n, i, j]
        return raw < 0 || raw > Float(column ? w + 1 : h + 1)
    }

    /// SPEC §4.1 written out directly, one scalar at a time.
    static func reference(_ x: Tensor, offsets: Tensor, mask: Tensor) -> Tensor {
        let (batch, channels, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var out = [Float](repeating: 0, count: batch * channels * 9 * h * w)
        for b in 0..<batch {
            for c in 0..<channels {
                // P = x zero-padded by 1.
                func padded(_ y: Int, _ x0: Int) -> Float {
                    (1...h).contains(y) && (1...w).contains(x0) ? x[b, c, y - 1, x0 - 1] : 0
                }
                for n in 0..<9 {
                    let (a, s) = (n / 3, n % 3)
                    for i in 0..<h {
                        for j in 0..<w {
                            var py = Float(i + 1) + Float(a - 1) + offsets[b, n, i, j]
                            var px = Float(j + 1) + Float(s - 1) + offsets[b, 9 + n, i, j]
                            let y0 = min(max(Int(floor(py)), 0), h + 1)
                            let y1 = min(max(Int(floor(py)) + 1, 0), h + 1)
                            let x0 = min(max(Int(floor(px)), 0), w + 1)
                            let x1 = min(max(Int(floor(px)) + 1, 0), w + 1)
                            py = min(max(py, 0), Float(h + 1))
                            px = min(max(px, 0), Float(w + 1))
                            let gLT = (1 + (Float(y0) - py)) * (1 + (Float(x0) - px))
                            let gRB = (1 - (Float(y1) - py)) * (1 - (Float(x1) - px))
                            let gLB = (1 + (Float(y0) - py)) * (1 - (Float(x1) - px))
                            let gRT = (1 - (Float(y1) - py)) * (1 + (Float(x0) - px))
                            let value = gLT * padded(y0, x0) + gRB * padded(y1, x1)
                                + gLB * padded(y0, x1) + gRT * padded(y1, x0)
                            out[(((b * channels + c) * 9 + n) * h + i) * w + j] = value * mask[b, n, i, j]
                        }
                    }
                }
            }
        }
        return Tensor(shape: [batch, channels * 9, h, w], scalars: out)
    }

    static func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
    }

    static func dot(_ a: Tensor, _ b: Tensor) -> Double {
        zip(a.scalars, b.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    // MARK: - Forward values

    @Test func zeroOffsetsAndUnitMaskGiveZeroPaddedNeighbourhoods() {
        var random = TestRandom(seed: 1)
        let x = random.tensor([2, 3, 4, 5])
        let out = deformableSample(Variable(x), offsets: Variable(Tensor(zeros: [2, 18, 4, 5])),
                                   mask: Variable(Tensor(repeating: 1, shape: [2, 9, 4, 5]))).value
        #expect(out.shape == [2, 27, 4, 5])
        var mismatches = 0
        for b in 0..<2 { for c in 0..<3 { for n in 0..<9 { for i in 0..<4 { for j in 0..<5 {
            let (y, x0) = (i + n / 3 - 1, j + n % 3 - 1)
            let expected: Float = (0..<4).contains(y) && (0..<5).contains(x0) ? x[b, c, y, x0] : 0
            if out[b, c * 9 + n, i, j] != expected { mismatches += 1 }
        } } } } }
        #expect(mismatches == 0)
    }

    @Test func handComputedBilinearSampleAndClampedPoint() {
        // x = [[1, 2], [3, 4]]; centre neighbour (n = 4) of pixel (0, 0) moved by (0.5, 0.25):
        // padded position (1.5, 1.25): 0.375·1 + 0.125·4 + 0.125·2 + 0.375·3 = 2.25, times 0.5.
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        var offsets = [Float](repeating: 0, count: 18 * 4)
        offsets[4 * 4] = 0.5
        offsets[13 * 4] = 0.25
        // Neighbour 0 of pixel (1, 1) pushed far up: row clamped to 0, reads padding only.
        offsets[0 * 4 + 3] = -7.5
        let mask = Tensor(repeating: 0.5, shape: [1, 9, 2, 2])
        let out = deformableSample(Variable(x), offsets: Variable(Tensor(shape: [1, 18, 2, 2], scalars: offsets)),
                                   mask: Variable(mask)).value
        #expect(out[0, 4, 0, 0] == 1.125)
        #expect(out[0, 0, 1, 1] == 0)
        #expect(out[0, 8, 0, 0] == 2)  // neighbour (+1, +1) of pixel (0, 0) unmoved: x[1,1]·0.5
    }

    @Test func forwardMatchesScalarReference() {
        for (shape, seed) in [([2, 3, 5, 6], UInt64(2)), ([1, 2, 1, 1], 3), ([3, 4, 7, 4], 4), ([2, 9, 4, 3], 14)] {
            let (x, offsets, mask) = Self.inputs(shape[0], shape[1], shape[2], shape[3], span: 3, seed: seed)
            let out = deformableSample(Variable(x), offsets: Variable(offsets), mask: Variable(mask)).value
            let expected = Self.reference(x, offsets: offsets, mask: mask)
            #expect(out.shape == expected.shape)
            #expect(Self.maxAbsDifference(out, expected) <= 1e-6, "shape \(shape)")
        }
    }

    @Test func forwardMatchesReferenceOnParallelSizes() {
        // Large enough that both kernels split the work across threads.
        let (x, offsets, mask) = Self.inputs(4, 16, 16, 16, span: 4, seed: 5)
        let out = deformableSample(Variable(x), offsets: Variable(offsets), mask: Variable(mask)).value
        #expect(Self.maxAbsDifference(out, Self.reference(x, offsets: offsets, mask: mask)) <= 1e-6)
    }

    // MARK: - Gradients

    @Test func finiteDifferenceGradients() {
        let (x, offsets, mask) = Self.inputs(2, 5, 3, 4, span: 3, seed: 6)
        // The test must cover both clamped and interior points.
        var outside = 0, total = 0
        for b in 0..<2 { for n in 0..<9 { for i in 0..<3 { for j in 0..<4 { for column in [false, true] {
            total += 1
            if Self.clamped(offsets, b: b, n: n, i: i, j: j, column: column) { outside += 1 }
        } } } } }
        #expect(outside > total / 10 && outside < total * 9 / 10, "\(outside) of \(total) clamped")
        checkGradients([x, offsets, mask]) { v in deformableSample(v[0], offsets: v[1], mask: v[2]) }
    }

    @Test func finiteDifferenceGradientsOnOnePixelImage() {
        // H = W = 1: most neighbours sample the padding or fall outside.
        let (x, offsets, mask) = Self.inputs(1, 3, 1, 1, span: 2, seed: 7)
        checkGradients([x, offsets, mask]) { v in deformableSample(v[0], offsets: v[1], mask: v[2]) }
    }

    @Test func offsetGradientIsZeroWhereClamped() {
        let (x, offsets, mask) = Self.inputs(2, 3, 4, 5, span: 4, seed: 8)
        var random = TestRandom(seed: 9)
        let seedGrad = random.tensor([2, 27, 4, 5])
        let o = Variable(offsets, requiresGrad: true)
        deformableSample(Variable(x), offsets: o, mask: Variable(mask)).backward(seed: seedGrad)
        let g = o.grad!
        var clampedNonZero = 0, interiorNonZero = 0, clampedCount = 0
        for b in 0..<2 { for n in 0..<9 { for i in 0..<4 { for j in 0..<5 {
            for column in [false, true] {
                let value = g[b, column ? 9 + n : n, i, j]
                if Self.clamped(offsets, b: b, n: n, i: i, j: j, column: column) {
                    clampedCount += 1
                    if value != 0 { clampedNonZero += 1 }
                } else if value != 0 {
                    interiorNonZero += 1
                }
            }
        } } } }
        #expect(clampedCount > 0)
        #expect(clampedNonZero == 0)
        #expect(interiorNonZero > 0)
    }

    /// On sizes that run the threaded paths: the result is linear in x and in the mask, so the
    /// gradients must satisfy ⟨g, f(x′)⟩ = ⟨∇x, x′⟩ (likewise mask) exactly up to rounding; the
    /// offsets gradient is checked by a directional central difference.
    @Test func gradientsOnParallelSizes() {
        let (x, offsets, mask) = Self.inputs(4, 16, 16, 16, span: 4, seed: 10)
        var random = TestRandom(seed: 11)
        let seedGrad = random.tensor([4, 144, 16, 16])
        let (vx, vo, vm) = (Variable(x, requiresGrad: true), Variable(offsets, requiresGrad: true),
                            Variable(mask, requiresGrad: true))
        deformableSample(vx, offsets: vo, mask: vm).backward(seed: seedGrad)
        func loss(_ x: Tensor, _ o: Tensor, _ m: Tensor) -> Double {
            Self.dot(seedGrad, deformableSample(Variable(x), offsets: Variable(o), mask: Variable(m)).value)
        }
        let loss0 = loss(x, offsets, mask)
        #expect(abs(Self.dot(vx.grad!, x) - loss0) <= 1e-4 * abs(loss0) + 1e-3)
        #expect(abs(Self.dot(vm.grad!, mask) - loss0) <= 1e-4 * abs(loss0) + 1e-3)

        let direction = random.tensor(offsets.shape)
        let h: Float = 1e-2
        func moved(_ sign: Float) -> Tensor {
            Tensor(shape: offsets.shape, scalars: zip(offsets.scalars, direction.scalars).map { $0 + sign * h * $1 })
        }
        let numeric = (loss(x, moved(1), mask) - loss(x, moved(-1), mask)) / (2 * Double(h))
        let analytic = Self.dot(vo.grad!, direction)
        #expect(abs(numeric - analytic) <= 2e-3 * abs(analytic) + 1e-2, "numeric \(numeric) analytic \(analytic)")
    }

    @Test func onlyRequestedGradientsAreComputedAndAgree() {
        let (x, offsets, mask) = Self.inputs(2, 6, 4, 5, span: 3, seed: 12)
        var random = TestRandom(seed: 13)
        let seedGrad = random.tensor([2, 54, 4, 5])
        let (ax, ao, am) = (Variable(x, requiresGrad: true), Variable(offsets, requiresGrad: true),
                            Variable(mask, requiresGrad: true))
        deformableSample(ax, offsets: ao, mask: am).backward(seed: seedGrad)
        for wanted in 0..<3 {
            let vars = [Variable(x, requiresGrad: wanted == 0), Variable(offsets, requiresGrad: wanted == 1),
                        Variable(mask, requiresGrad: wanted == 2)]
            deformableSample(vars[0], offsets: vars[1], mask: vars[2]).backward(seed: seedGrad)
            let all = [ax.grad!, ao.grad!, am.grad!]
            for k in 0..<3 {
                if k == wanted {
                    #expect(vars[k].grad?.scalars == all[k].scalars)
                } else {
                    #expect(vars[k].grad == nil)
                }
            }
        }
    }
}
