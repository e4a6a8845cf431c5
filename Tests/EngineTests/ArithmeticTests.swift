@testable import Engine
import Testing
import TestSupport

/// Naive broadcasting by index arithmetic, as the reference for the coalesced kernels.
enum NaiveBroadcast {
    static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        return zip(pa, pb).map { $0 == 1 ? $1 : $0 }
    }

    /// The flat index into `shape` (right-aligned, size-1 axes repeat) of result index `index`.
    static func source(_ index: [Int], _ shape: [Int]) -> Int {
        let offset = index.count - shape.count
        var flat = 0
        for axis in 0..<shape.count {
            flat = flat * shape[axis] + (shape[axis] == 1 ? 0 : index[axis + offset])
        }
        return flat
    }

    static func indices(_ shape: [Int]) -> [[Int]] {
        var all: [[Int]] = [[]]
        for dim in shape { all = all.flatMap { prefix in (0..<dim).map { prefix + [$0] } } }
        return all
    }

    static func apply(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        let result = shape(a.shape, b.shape)
        let values = indices(result).map { i in
            f(a.pointer[source(i, a.shape)], b.pointer[source(i, b.shape)])
        }
        return Tensor(shape: result, scalars: values)
    }

    static func reduce(_ g: Tensor, to shape: [Int]) -> [Double] {
        var out = [Double](repeating: 0, count: Shape.elementCount(shape))
        for (flat, i) in indices(g.shape).enumerated() { out[source(i, shape)] += Double(g.pointer[flat]) }
        return out
    }
}

@Suite struct ArithmeticTests {
    /// Shape pairs covering every path: equal, single element (rank 0 and [1]), trailing shape,
    /// leading/inner repeats, both sides broadcasting, and sizes that split over the cores.
    static let shapePairs: [([Int], [Int])] = [
        ([2, 3, 4], [2, 3, 4]), ([2, 3, 4], []), ([], [2, 3, 4]), ([1], [5, 3]),
        ([2, 3, 4, 5], [3, 4, 5]), ([3, 4, 5], [2, 3, 4, 5]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]),
        ([2, 1, 4], [3, 1]), ([4, 1], [1, 5]), ([2, 3, 1, 1], [2, 3, 4, 5]), ([1, 3, 1, 5], [2, 1, 4, 1]),
        ([2, 3, 4], [1, 3, 4]), ([8, 5, 7, 9], [5, 7, 9]), ([3, 40_001], [40_001]), ([3, 40_001], [3, 1]),
        ([90_001], [1]), ([3, 30_000], [3, 30_000]), ([300, 300], [300, 1]), ([2, 1], [2, 1]),
    ]

    @Test func broadcastValuesMatchNaiveReference() {
        var random = TestRandom(seed: 1)
        for (sa, sb) in Self.shapePairs {
            let a = random.tensor(sa), b = random.tensor(sb)
            for (op, f) in [(Elementwise.BinaryOperator.add, { (x: Float, y: Float) in x + y }),
                            (.subtract, { $0 - $1 }), (.multiply, { $0 * $1 })] {
                let got = Elementwise.apply(op, a, b)
                let want = NaiveBroadcast.apply(a, b, f)
                #expect(got.shape == want.shape, "\(op) \(sa) \(sb)")
                #expect(got.scalars == want.scalars, "\(op) \(sa) \(sb)")
            }
        }
    }

    @Test func broadcastShapeRules() {
        #expect(Broadcast.shape([2, 3, 4], [4]) == [2, 3, 4])
        #expect(Broadcast.shape([2, 1, 4], [3, 1]) == [2, 3, 4])
        #expect(Broadcast.shape([], [2]) == [2])
        #expect(Broadcast.shape([0, 3], [1, 3]) == [0, 3])
        #expect(Elementwise.add(Tensor(zeros: [0, 3]), Tensor(zeros: [3])).shape == [0, 3])
    }

    @Test func reductionsMatchNaiveReference() {
        var random = TestRandom(seed: 2)
        for (sa, sb) in Self.shapePairs {
            let result = Broadcast.shape(sa, sb)
            let g = random.tensor(result), other = random.tensor(result)
            let product = Tensor(shape: result, scalars: zip(g.scalars, other.scalars).map { $0 * $1 })
            for target in [sa, sb] {
                let reduced = Broadcast.reduce(g, to: target)
                let fused = Broadcast.reduceProduct(g, other, to: target)
                #expect(reduced.shape == target)
                let want = NaiveBroadcast.reduce(g, to: target)
                let wantProduct = NaiveBroadcast.reduce(product, to: target)
                for i in 0..<want.count {
                    let tolerance = 1e-5 * Double(g.count / max(target.reduce(1, *), 1) + 1)
                    #expect(abs(Double(reduced.pointer[i]) - want[i]) <= tolerance, "\(target) of \(result) [\(i)]")
                    #expect(abs(Double(fused.pointer[i]) - wantProduct[i]) <= tolerance, "\(target) of \(result) [\(i)]")
                }
            }
        }
    }

    @Test func scalarOperatorsAndNegation() {
        let x = Variable(Tensor(shape: [5], scalars: [-2, -0.5, 0, 1, 3]))
        #expect((x + 1).value.scalars == [-1, 0.5, 1, 2, 4])
        #expect((1 + x).value.scalars == [-1, 0.5, 1, 2, 4])
        #expect((x - 1).value.scalars == [-3, -1.5, -1, 0, 2])
        #expect((1 - x).value.scalars == [3, 1.5, 1, 0, -2])
        #expect((x * 2).value.scalars == [-4, -1, 0, 2, 6])
        #expect((2 * x).value.scalars == [-4, -1, 0, 2, 6])
        #expect((-x).value.scalars == [2, 0.5, 0, -1, -3])
        // Exact for non-representable constants too: c − x is computed as x·(−1) + c.
        let y = Variable(Tensor(shape: [1], scalars: [0.3]))
        #expect((0.7 - y).value.scalar == Float(0.7) - Float(0.3))
    }

    @Test(arguments: shapePairs.filter { Shape.elementCount(Broadcast.shape($0.0, $0.1)) <= 400 }
        .map { [$0.0, $0.1] })
    func gradientsOfBroadcastOperators(_ shapes: [[Int]]) {
        var random = TestRandom(seed: 3)
        let a = random.tensor(shapes[0]), b = random.tensor(shapes[1])
        checkGradients([a, b]) { v in v[0] + v[1] }
        checkGradients([a, b]) { v in v[0] - v[1] }
        checkGradients([a, b]) { v in v[0] * v[1] }
    }

    @Test func gradientsOfScalarOperators() {
        var random = TestRandom(seed: 4)
        let x = random.tensor([3, 5])
        checkGradients([x]) { v in v[0] + 1.5 }
        checkGradients([x]) { v in 1.5 + v[0] }
        checkGradients([x]) { v in v[0] - 0.5 }
        checkGradients([x]) { v in 1 - v[0] }
        checkGradients([x]) { v in v[0] * -2.5 }
        checkGradients([x]) { v in 3 * v[0] }
        checkGradients([x]) { v in -v[0] }
    }

    @Test func gradientsOfGatedUpdateExpression() {
        // The MotionGRU update: u ⊙ z + (1 − u) ⊙ F_prev, and a variable used twice.
        var random = TestRandom(seed: 6)
        let u = random.tensor([2, 3, 4], 0, 1), z = random.tensor([2, 3, 4]), f = random.tensor([2, 3, 4])
        checkGradients([u, z, f]) { v in v[0] * v[1] + (1 - v[0]) * v[2] }
        checkGradients([z]) { v in v[0] * v[0] - v[0] }
    }

    @Test func gradientReachesOnlyInputsThatNeedIt() {
        let a = Variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), requiresGrad: true)
        let b = Variable(Tensor(shape: [3], scalars: [1, 1, 2]))
        (a * b).backward(seed: Tensor(repeating: 1, shape: [2, 3]))
        #expect(a.grad?.scalars == [1, 1, 2, 1, 1, 2])
        #expect(b.grad == nil)
        let w = Variable(Tensor(shape: [3], scalars: [1, 1, 2]), requiresGrad: true)
        let c = Variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        (c - w).backward(seed: Tensor(repeating: 1, shape: [2, 3]))
        #expect(w.grad?.scalars == [-2, -2, -2])
    }
}
