import Engine
import Foundation
import Testing
import TestSupport

@Suite struct ActivationsTests {
    @Test func valuesMatchFoundation() {
        var random = TestRandom(seed: 11)
        let x = random.tensor([4, 37], -8, 8)
        let s = sigmoid(Variable(x)).value, t = tanh(Variable(x)).value
        #expect(s.shape == x.shape && t.shape == x.shape)
        for i in 0..<x.count {
            let v = Double(x.pointer[i])
            #expect(abs(Double(s.pointer[i]) - 1 / (1 + Foundation.exp(-v))) <= 2e-7)
            #expect(abs(Double(t.pointer[i]) - Foundation.tanh(v)) <= 2e-7)
        }
    }

    @Test func foundationTanhStillResolvesForNumbers() {
        let d: Double = tanh(0.5)
        let f: Float = tanh(Float(0.5))
        #expect(abs(d - 0.46211715726000974) < 1e-15)
        #expect(abs(f - 0.46211717) < 1e-7)
    }

    @Test func gradients() {
        var random = TestRandom(seed: 12)
        let x = random.tensor([3, 7], -3, 3)
        checkGradients([x]) { v in sigmoid(v[0]) }
        checkGradients([x]) { v in tanh(v[0]) }
        // Composition as in the cells: tanh(a + b) ⊙ σ(c).
        let b = random.tensor([7]), c = random.tensor([3, 7])
        checkGradients([x, b, c]) { v in tanh(v[0] + v[1]) * sigmoid(v[2]) }
    }

    @Test func leakyReLU() {
        let x = Tensor(shape: [5], scalars: [-2, -0.5, 0, 0.5, 3])
        let y = Engine.leakyReLU(Variable(x), negativeSlope: 0.2).value
        #expect((0..<5).map { y.pointer[$0] } == [-0.4, -0.1, 0, 0.5, 3])
        // Away from the kink at 0.
        var random = TestRandom(seed: 13)
        let z = Tensor(shape: [3, 7], scalars: (0..<21).map { _ in
            let magnitude = random.uniform(0.05, 2)
            return random.next() % 2 == 0 ? magnitude : -magnitude
        })
        checkGradients([z]) { v in Engine.leakyReLU(v[0], negativeSlope: 0.2) }
    }
}
