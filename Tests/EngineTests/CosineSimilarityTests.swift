import Engine
import Testing
import TestSupport

@Suite struct CosineSimilarityTests {
    @Test func valuesMatchTheDefinition() {
        // Rows: parallel (1), opposite (|−1| = 1), orthogonal (0), 45° (√½); all-zero row: 0.
        let a = Tensor(shape: [5, 2], scalars: [1, 2, 1, 0, 1, 0, 1, 0, 0, 0])
        let b = Tensor(shape: [5, 2], scalars: [2, 4, -3, 0, 0, 5, 1, 1, 1, 1])
        let value = meanAbsoluteCosineSimilarity(Variable(a), Variable(b)).value.scalar
        #expect(abs(Double(value) - (1 + 1 + 0 + 0.5.squareRoot() + 0) / 5) < 1e-6)
        // Scale does not matter; leading axes are rows.
        let scaled = meanAbsoluteCosineSimilarity(Variable(Tensor(shape: [5, 1, 2], scalars: a.scalars.map { $0 * 7 })),
                                                  Variable(Tensor(shape: [5, 1, 2], scalars: b.scalars)))
        #expect(abs(scaled.value.scalar - value) < 1e-6)
    }

    @Test func gradients() {
        var random = TestRandom(seed: 5)
        checkGradients([random.tensor([3, 2, 6]), random.tensor([3, 2, 6])], step: 1e-3) { v in
            meanAbsoluteCosineSimilarity(v[0], v[1])
        }
    }
}
