@testable import Engine
import Foundation
import Testing
import TestSupport

/// Softmax along `axis` in Double by the textbook formula.
private func naiveSoftmax(_ t: Tensor, axis: Int) -> [Float] {
    let outer = t.shape[..<axis].reduce(1, *), n = t.shape[axis], inner = t.shape[(axis + 1)...].reduce(1, *)
    var out = [Float](repeating: 0, count: t.count)
    for o in 0..<outer {
        for j in 0..<inner {
            let indices = (0..<n).map { (o * n + $0) * inner + j }
            let total = indices.map { Foundation.exp(Double(t.pointer[$0])) }.reduce(0, +)
            for i in indices { out[i] = Float(Foundation.exp(Double(t.pointer[i])) / total) }
        }
    }
    return out
}

private func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

@Suite struct SoftmaxTests {
    @Test func handComputed() {
        let y = softmax(Variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 0, 0, 0]))).value
        let expected: [Float] = [0.09003057, 0.24472847, 0.66524096, 1 / 3, 1 / 3, 1 / 3]
        #expect(maxDifference(y.scalars, expected) < 1e-6)
    }

    @Test func stableForLargeInputs() {
        // exp(1000) overflows Float; the max-subtracted form does not.
        let y = softmax(Variable(Tensor(shape: [1, 3], scalars: [1000, 1001, -1000]))).value
        #expect(y.scalars.allSatisfy { $0.isFinite })
        #expect(maxDifference(y.scalars, [0.26894142, 0.73105858, 0]) < 1e-6)
    }

    @Test func everyAxisMatchesNaiveReference() {
        var random = TestRandom(seed: 40)
        let x = random.tensor([3, 4, 5], -3, 3)
        for axis in 0..<3 {
            let y = softmax(Variable(x), axis: axis).value
            #expect(maxDifference(y.scalars, naiveSoftmax(x, axis: axis)) < 1e-6, "axis \(axis)")
        }
        #expect(softmax(Variable(x), axis: -1).value.scalars == softmax(Variable(x), axis: 2).value.scalars)
        // Large enough to be split across cores.
        let big = random.tensor([64, 3, 200], -3, 3)
        #expect(maxDifference(softmax(Variable(big), axis: 1).value.scalars, naiveSoftmax(big, axis: 1)) < 1e-6)
    }

    @Test func gradients() {
        var random = TestRandom(seed: 41)
        checkGradients([random.tensor([3, 5])]) { v in softmax(v[0]) }
        checkGradients([random.tensor([2, 4, 3])]) { v in softmax(v[0], axis: 1) }
        checkGradients([random.tensor([3, 2, 2])]) { v in softmax(v[0], axis: 0) }
    }

    @Test func badAxisFails() async {
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = softmax(Variable(Tensor(zeros: [2, 3])), axis: 2)
        }, "softmax: axis 2 out of range for shape [2, 3]")
    }
}
