import Cells
import Engine
import Foundation
import Layers
import Testing
import TestSupport

/// The bounded motion filter (`MotionRNNOptions.bound`, not in the paper): F = B·tanh(F₀/B) of
/// the paper's filter F₀, so that F and the trend stay within reach of the warp.
@Suite struct MotionBoundTests {
    let channels = 4, batch = 2, height = 4, width = 6

    /// Two MotionGRUs with the same parameters, one bounded to ±`bound` cells.
    func pair(bound: Float, closedUpdateGate: Bool = false) throws -> (paper: MotionGRU, bounded: MotionGRU) {
        var random = RandomGenerator(seed: 8)
        let paper = MotionGRU(channels: channels, using: &random)
        let bounded = MotionGRU(channels: channels, bound: bound, using: &random)
        var parameters = paper.stateDictionary()
        if closedUpdateGate {
            // u = σ(−30) ≈ 0: F' = F_prev, the regime the 4 × 40 model learnt in its predicted steps.
            parameters["update.weight"] = Tensor(zeros: parameters["update.weight"]!.shape)
            parameters["update.bias"] = Tensor(repeating: -30, shape: parameters["update.bias"]!.shape)
            try paper.loadParameters(from: parameters, source: "closed update gate")
        }
        try bounded.loadParameters(from: parameters, source: "paper MotionGRU")
        return (paper, bounded)
    }

    @Test func boundedFilterIsTanhOfThePapersFilter() throws {
        var random = TestRandom(seed: 1)
        let encoded = Variable(random.tensor([batch, channels, height, width]))
        let filter = Variable(random.tensor([batch, 18, height, width], -3, 3))
        let trend = Variable(random.tensor([batch, 18, height, width], -3, 3))
        let (paper, bounded) = try pair(bound: 1.5)
        let p = paper(encoded, previousFilter: filter, previousTrend: trend)
        let b = bounded(encoded, previousFilter: filter, previousTrend: trend)
        let expected = p.filter.value.scalars.map { 1.5 * Float(Foundation.tanh(Double($0 / 1.5))) }
        let difference = zip(b.filter.value.scalars, expected).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-5)
        #expect(p.filter.value.scalars.contains { abs($0) > 1.5 }, "the inputs should reach past the bound")
        // The trend is made from the previous states, before the bound applies.
        #expect(b.trend.value.maxAbsoluteDifference(to: p.trend.value) == 0)
    }

    /// With the update gate closed the paper's filter grows by 1 + √α per step (docs/RESULTS.md,
    /// "What the MotionGRU learnt"); the bounded one and its trend stay within ±B.
    @Test func withTheUpdateGateClosedOnlyTheBoundedFilterStaysOnTheGrid() throws {
        var random = TestRandom(seed: 2)
        let encoded = Variable(random.tensor([batch, channels, height, width]))
        let (paper, bounded) = try pair(bound: 2, closedUpdateGate: true)
        let start = Variable(random.tensor([batch, 18, height, width], 0.5, 1))
        var paperState = (filter: start, trend: start), boundedState = (filter: start, trend: start)
        var ratio: Float = 0
        for _ in 0..<12 {
            let before = paperState.filter.value.scalars.map(abs).max()!
            let p = paper(encoded, previousFilter: paperState.filter, previousTrend: paperState.trend)
            paperState = (p.filter, p.trend)
            ratio = paperState.filter.value.scalars.map(abs).max()! / before
            let b = bounded(encoded, previousFilter: boundedState.filter, previousTrend: boundedState.trend)
            boundedState = (b.filter, b.trend)
        }
        #expect(abs(ratio - (1 + Float(0.5).squareRoot())) < 0.02, "growth per step \(ratio)")
        #expect(paperState.filter.value.scalars.map(abs).max()! > 100)
        #expect(boundedState.filter.value.scalars.allSatisfy { abs($0) <= 2 })
        #expect(boundedState.trend.value.scalars.allSatisfy { abs($0) <= 2 })
    }

    /// The filter and trend (smooth in every input); the warp's sampling has kinks at integer
    /// offsets that an internal filter cannot keep away from, and has its own checks.
    @Test func gradientsOfTheBoundedFilter() throws {
        let (_, bounded) = try pair(bound: 1.5)
        var random = TestRandom(seed: 3)
        checkGradients([random.tensor([1, channels, height, width]),
                        random.tensor([1, 18, height, width], -2, 2),
                        random.tensor([1, 18, height, width], -2, 2)]) { v in
            let result = bounded(v[0], previousFilter: v[1], previousTrend: v[2])
            return concat([result.filter, result.trend], axis: 1)
        }
    }
}
