import Engine
import Testing

@Suite struct RandomTests {
    @Test func sameSeedSameStreamOtherSeedOtherStream() {
        var a = RandomGenerator(seed: 42), b = RandomGenerator(seed: 42), c = RandomGenerator(seed: 43)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(first != (0..<100).map { _ in c.next() })
        // Seed 0 is fine too (SplitMix64 never yields an all-zero state).
        var zero = RandomGenerator(seed: 0)
        #expect(zero.state.contains { $0 != 0 })
        #expect(zero.next() != zero.next())
    }

    @Test func knownFirstValues() {
        // Pins the algorithm (SplitMix64-seeded xoshiro256**): checkpoints and reproducibility
        // across versions depend on it not changing. SplitMix64(0) first output is the published
        // 0xE220A8397B1DCDAF.
        let seeded = RandomGenerator(seed: 0)
        #expect(seeded.state[0] == 0xE220_A839_7B1D_CDAF)
        // xoshiro256** from state (1, 2, 3, 4): first output rotl(2·5, 7)·9 = 11520.
        var fixed = try! RandomGenerator(state: [1, 2, 3, 4])
        #expect(fixed.next() == 11520)
        #expect(fixed.next() == 0)  // rotl(s1·5, 7)·9 with s1 = 0 after one step
    }

    @Test func restoringStateContinuesTheStream() throws {
        var generator = RandomGenerator(seed: 7)
        for _ in 0..<37 { _ = generator.next() }
        _ = generator.normal(mean: 0, std: 1)
        let saved = generator.state
        let expected = (0..<50).map { _ in generator.uniform(-1, 1) }
        var restored = try RandomGenerator(state: saved)
        #expect((0..<50).map { _ in restored.uniform(-1, 1) } == expected)
        #expect(restored.state == generator.state)

        var tensorsA = try RandomGenerator(state: saved), tensorsB = try RandomGenerator(state: saved)
        #expect(Tensor.normal(shape: [3, 5], using: &tensorsA).scalars
                == Tensor.normal(shape: [3, 5], using: &tensorsB).scalars)
    }

    @Test func invalidStatesAreRejected() {
        #expect(throws: RandomGenerator.InvalidState.self) { try RandomGenerator(state: [0, 0, 0, 0]) }
        #expect(throws: RandomGenerator.InvalidState.self) { try RandomGenerator(state: [1, 2, 3]) }
    }

    @Test func uniformStaysInRangeWithTheRightMoments() {
        var generator = RandomGenerator(seed: 1)
        let tensor = Tensor.uniform(shape: [200, 500], low: -3, high: 5, using: &generator)
        let values = tensor.scalars.map(Double.init)
        #expect(tensor.shape == [200, 500])
        #expect(values.allSatisfy { $0 >= -3 && $0 < 5 })
        let (mean, variance) = moments(values)
        // U(a, b): mean (a+b)/2 = 1, variance (b−a)²/12 = 16/3. n = 1e5: standard error of the
        // mean ≈ 0.007.
        #expect(abs(mean - 1) < 0.04)
        #expect(abs(variance - 16.0 / 3) < 0.1)
        #expect(values.min()! < -2.99 && values.max()! > 4.99)
    }

    @Test func normalHasTheRightMoments() {
        var generator = RandomGenerator(seed: 2)
        let tensor = Tensor.normal(shape: [100_001], mean: 2, std: 0.5, using: &generator)
        let values = tensor.scalars.map(Double.init)
        let (mean, variance) = moments(values)
        #expect(abs(mean - 2) < 0.01)
        #expect(abs(variance.squareRoot() - 0.5) < 0.01)
        // About 68.3 % within one standard deviation, 95.4 % within two.
        let within1 = Double(values.filter { abs($0 - 2) < 0.5 }.count) / Double(values.count)
        let within2 = Double(values.filter { abs($0 - 2) < 1 }.count) / Double(values.count)
        #expect(abs(within1 - 0.6827) < 0.01)
        #expect(abs(within2 - 0.9545) < 0.01)

        var scalarGenerator = RandomGenerator(seed: 3)
        let draws = (0..<50_000).map { _ in Double(scalarGenerator.normal(mean: -1, std: 3)) }
        let (scalarMean, scalarVariance) = moments(draws)
        #expect(abs(scalarMean + 1) < 0.06)
        #expect(abs(scalarVariance.squareRoot() - 3) < 0.06)
    }

    private func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance)
    }
}
