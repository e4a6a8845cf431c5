import Engine
import Predictor
import Testing
@testable import Training

@Suite struct ScheduledSamplingTests {
    @Test func etaFollowsThePaperSchedule() {
        let paper = TrainingConfiguration(model: tinyModel())
        #expect(paper.samplingDelta == 2e-5 && paper.samplingStopIteration == 50_000)
        #expect(paper.samplingProbability(atIteration: 1) == 1 - 2e-5)
        #expect(abs(paper.samplingProbability(atIteration: 25_000) - 0.5) < 1e-12)
        #expect(abs(paper.samplingProbability(atIteration: 49_999) - 2e-5) < 1e-12)
        #expect(paper.samplingProbability(atIteration: 50_000) == 0)
        #expect(paper.samplingProbability(atIteration: 100_000) == 0)
        // Falls monotonically and never below zero.
        let etas = stride(from: 1, through: 60_000, by: 997).map(paper.samplingProbability)
        #expect(zip(etas, etas.dropFirst()).allSatisfy { $0 >= $1 } && etas.allSatisfy { $0 >= 0 })
    }

    @Test func scaledScheduleReachesZeroHalfWay() {
        var configuration = TrainingConfiguration(model: tinyModel(), iterations: 1_000)
        configuration.scaleSampling()
        #expect(configuration.samplingStopIteration == 500)
        #expect(abs(configuration.samplingProbability(atIteration: 250) - 0.5) < 1e-12)
        #expect(configuration.samplingProbability(atIteration: 499) > 0)
        #expect(configuration.samplingProbability(atIteration: 500) == 0)
        // A stop before the delta reaches 0 still ends teacher forcing there (official rule).
        configuration.samplingDelta = 1e-4
        #expect(configuration.samplingProbability(atIteration: 499) > 0.9)
        #expect(configuration.samplingProbability(atIteration: 500) == 0)
    }

    func mask(eta: Double, seed: UInt64, batch: Int = 64, total: Int = 53) -> Tensor {
        var random = RandomGenerator(seed: seed)
        return ScheduledSampling.mask(batchSize: batch, probabilities: Array(repeating: eta, count: total - 3),
                                      patchHeight: 3, patchWidth: 2, frameChannels: 4, using: &random)!
    }

    @Test func maskIsBernoulliPerFrameAndDeterministic() {
        let m = mask(eta: 0.3, seed: 11)
        #expect(m.shape == [64, 50, 3, 2, 4])
        let frameSize = 24
        var ones = 0
        for frame in 0..<(64 * 50) {
            let values = Array(UnsafeBufferPointer(start: m.pointer + frame * frameSize, count: frameSize))
            #expect(values.allSatisfy { $0 == values[0] } && (values[0] == 0 || values[0] == 1))
            if values[0] == 1 { ones += 1 }
        }
        // 3 200 draws: the standard deviation of the fraction is about 0.008.
        let fraction = Double(ones) / 3_200
        #expect(abs(fraction - 0.3) < 0.03, "fraction of true frames \(fraction), expected ≈ 0.3")
        // The same seed gives the same mask; another seed another one.
        #expect(bitsEqual(m, mask(eta: 0.3, seed: 11)))
        #expect(!bitsEqual(m, mask(eta: 0.3, seed: 12)))
        // Draws vary along both the batch and the step axes.
        #expect(Set((0..<50).map { m[0, $0, 0, 0, 0] }) == [0, 1])
        #expect(Set((0..<64).map { m[$0, 0, 0, 0, 0] }) == [0, 1])
    }

    @Test func maskExtremes() {
        #expect(mask(eta: 0, seed: 3).scalars.allSatisfy { $0 == 0 })
        #expect(mask(eta: 1, seed: 3).scalars.allSatisfy { $0 == 1 })
        var random = RandomGenerator(seed: 1)
        #expect(ScheduledSampling.mask(batchSize: 2, probabilities: [], patchHeight: 2,
                                       patchWidth: 2, frameChannels: 1, using: &random) == nil)
    }

    @Test func reversedInTimeReversesFramesOnly() {
        let batch = Tensor(shape: [2, 3, 1, 2, 1], scalars: (0..<12).map(Float.init))
        let reversed = reversedInTime(batch)
        #expect(reversed.shape == batch.shape)
        for sequence in 0..<2 {
            for t in 0..<3 {
                for x in 0..<2 {
                    #expect(reversed[sequence, t, 0, x, 0] == batch[sequence, 2 - t, 0, x, 0])
                }
            }
        }
        #expect(bitsEqual(reversedInTime(reversed), batch))
    }
}
