@testable import Engine
import Testing
import TestSupport

/// Naive product of (batched) row-major matrices, reading the stored operands transposed on request.
private func naiveMatMul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> [Float] {
    let batched = a.rank == 3
    let batch = batched ? a.shape[0] : 1
    let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
    let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
    let (m, k) = transposeA ? (ac, ar) : (ar, ac)
    let n = transposeB ? br : bc
    var out = [Float]()
    for s in 0..<batch {
        for i in 0..<m {
            for j in 0..<n {
                var total: Float = 0
                for p in 0..<k {
                    let av = a.pointer[s * ar * ac + (transposeA ? p * ac + i : i * ac + p)]
                    let bv = b.pointer[s * br * bc + (transposeB ? j * bc + p : p * bc + j)]
                    total += av * bv
                }
                out.append(total)
            }
        }
    }
    return out
}

private let flags: [(Bool, Bool)] = [(false, false), (true, false), (false, true), (true, true)]

@Suite struct MatMulTests {
    @Test func handComputed() {
        let a = Variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        let b = Variable(Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12]))
        let c = matmul(a, b)
        #expect(c.shape == [2, 2])
        #expect(c.value.scalars == [58, 64, 139, 154])
        // Aᵀ·Aᵀ-shaped: a stored [2,3] read as [3,2], times b stored [3,2] read as [2,3].
        let d = matmul(a, b, transposeA: true, transposeB: true)
        #expect(d.shape == [3, 3])
        #expect(d.value.scalars == [39, 49, 59, 54, 68, 82, 69, 87, 105])
    }

    @Test func matchesNaiveProductForEveryTransposeCombination() {
        var random = TestRandom(seed: 30)
        let (m, n, k) = (5, 4, 3)
        for (ta, tb) in flags {
            for batch in [nil, 3] as [Int?] {
                let aShape = (ta ? [k, m] : [m, k]), bShape = (tb ? [n, k] : [k, n])
                let a = random.tensor((batch.map { [$0] } ?? []) + aShape)
                let b = random.tensor((batch.map { [$0] } ?? []) + bShape)
                let c = matmul(Variable(a), Variable(b), transposeA: ta, transposeB: tb).value
                #expect(c.shape == (batch.map { [$0] } ?? []) + [m, n])
                let reference = naiveMatMul(a, b, transposeA: ta, transposeB: tb)
                let worst = zip(c.scalars, reference).map { abs($0 - $1) }.max() ?? 0
                #expect(worst < 1e-5, "transposeA \(ta) transposeB \(tb) batch \(String(describing: batch))")
            }
        }
    }

    @Test func gradientsRank2() {
        var random = TestRandom(seed: 31)
        let (m, n, k) = (3, 4, 2)
        for (ta, tb) in flags {
            checkGradients([random.tensor(ta ? [k, m] : [m, k]), random.tensor(tb ? [n, k] : [k, n])]) { v in
                matmul(v[0], v[1], transposeA: ta, transposeB: tb)
            }
        }
    }

    @Test func gradientsBatched() {
        var random = TestRandom(seed: 32)
        let (bt, m, n, k) = (2, 3, 2, 4)
        for (ta, tb) in flags {
            checkGradients([random.tensor(ta ? [bt, k, m] : [bt, m, k]),
                            random.tensor(tb ? [bt, n, k] : [bt, k, n])]) { v in
                matmul(v[0], v[1], transposeA: ta, transposeB: tb)
            }
        }
    }

    @Test func sameOperandTwiceAndOnlyOneNeedingGradient() {
        var random = TestRandom(seed: 33)
        // C = Aᵀ·A: both factors feed the one gradient.
        checkGradients([random.tensor([3, 4])]) { v in matmul(v[0], v[0], transposeA: true) }
        // A constant operand gets no gradient; the other still does.
        let weight = Variable(random.tensor([3, 2]), requiresGrad: true)
        let input = Variable(random.tensor([4, 3]))
        matmul(input, weight).backward(seed: Tensor(repeating: 1, shape: [4, 2]))
        #expect(input.grad == nil)
        // dW[p, j] = Σᵢ input[i, p]: the column sums of the input.
        let expected = (0..<3).flatMap { p in
            [Float](repeating: (0..<4).map { input.value[$0, p] }.reduce(0, +), count: 2)
        }
        let worst = zip(weight.grad?.scalars ?? [], expected).map { abs($0 - $1) }.max() ?? 1
        #expect(weight.grad?.shape == [3, 2] && worst < 1e-5)
    }

    @Test func emptyInnerDimensionGivesZeros() {
        let c = matmul(Variable(Tensor(zeros: [2, 0])), Variable(Tensor(zeros: [0, 3])))
        #expect(c.shape == [2, 3] && c.value.scalars == [Float](repeating: 0, count: 6))
    }

    @Test func mismatchedShapesFail() async {
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Variable(Tensor(zeros: [2, 3])), Variable(Tensor(zeros: [2, 3])))
        }, "matmul: inner dimensions differ", "[2, 3]")
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Variable(Tensor(zeros: [2, 2, 3])), Variable(Tensor(zeros: [3, 3, 4])))
        }, "matmul: batch sizes differ in [2, 2, 3] and [3, 3, 4]")
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Variable(Tensor(zeros: [2, 2, 3])), Variable(Tensor(zeros: [3, 4])))
        }, "matmul: needs two rank-2 or two rank-3 operands, got [2, 2, 3] and [3, 4]")
    }
}

/// Products large enough that `BLAS.gemm` splits them across cores (by columns when n ≥ m, by
/// rows otherwise), for every transpose combination, including a beta accumulation.
@Suite struct SplitGEMMTests {
    @Test(arguments: [(70, 300, 120), (300, 70, 120)])
    func splitProductsMatchNaiveLoops(_ m: Int, _ n: Int, _ k: Int) {
        #expect(m * n * k >= BLAS.splitThreshold)
        var random = TestRandom(seed: 31)
        for (transposeA, transposeB) in flags {
            let a = random.tensor(transposeA ? [k, m] : [m, k])
            let b = random.tensor(transposeB ? [n, k] : [k, n])
            let start = random.tensor([m, n])
            var c = start
            c.withUnsafeMutableBufferPointer {
                BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 2,
                          a: a.pointer, lda: transposeA ? m : k, b: b.pointer, ldb: transposeB ? k : n,
                          beta: 0.5, c: $0.baseAddress!, ldc: n)
            }
            let product = naiveMatMul(a, b, transposeA: transposeA, transposeB: transposeB)
            let expected = zip(product, start.scalars).map { 2 * $0 + 0.5 * $1 }
            let worst = zip(c.scalars, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-3, "transposeA \(transposeA) transposeB \(transposeB): max error \(worst)")
        }
    }
}
