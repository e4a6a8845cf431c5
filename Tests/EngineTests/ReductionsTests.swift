import Engine
import Testing
import TestSupport

@Suite struct ReductionsTests {
    @Test func valuesAreRankZeroAndAccurate() {
        let x = Variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6.5]))
        #expect(sum(x).shape == [] && sum(x).value.scalar == 21.5)
        #expect(mean(x).shape == [] && mean(x).value.scalar == 21.5 / 6)
        // A long array whose Float running sum would drift: 0.1 (not representable) a million
        // times plus a large offset. Reference in Double.
        var random = TestRandom(seed: 21)
        let big = random.tensor([1_000_003], 0, 1)
        var reference = 0.0
        for i in 0..<big.count { reference += Double(big.pointer[i]) }
        let got = Double(sum(Variable(big)).value.scalar)
        #expect(abs(got - reference) <= 1e-7 * reference, "sum \(got) vs \(reference)")
        let m = Double(mean(Variable(big)).value.scalar)
        #expect(abs(m - reference / Double(big.count)) <= 1e-7 * m)
    }

    @Test func gradients() {
        var random = TestRandom(seed: 22)
        let x = random.tensor([2, 3, 5])
        checkGradients([x]) { v in sum(v[0]) }
        checkGradients([x]) { v in mean(v[0]) }
        checkGradients([x]) { v in mean(v[0] * v[0]) }
    }

    @Test func backwardFillsTheScaledSeed() {
        let x = Variable(Tensor(zeros: [4]), requiresGrad: true)
        mean(x).backward()
        #expect(x.grad?.scalars == [0.25, 0.25, 0.25, 0.25])
        let y = Variable(Tensor(zeros: [3]), requiresGrad: true)
        (sum(y) * 2).backward()
        #expect(y.grad?.scalars == [2, 2, 2])
    }
}
