import Cells
import Engine
import Layers
import Testing
import TestSupport

/// The ablation switches of the MotionGRU (paper Table 3) do what their documentation says.
@Suite struct MotionGRUAblationTests {
    let channels = 4, batch = 2, height = 4, width = 6

    func inputs(seed: UInt64) -> (encoded: Variable, filter: Variable, trend: Variable) {
        var random = TestRandom(seed: seed)
        return (Variable(random.tensor([batch, channels, height, width])),
                Variable(random.tensor([batch, 18, height, width], -2, 2)),
                Variable(random.tensor([batch, 18, height, width], -2, 2)))
    }

    func motionGRU(transient: Bool, trend: Bool) throws -> MotionGRU {
        var random = RandomGenerator(seed: 8)
        let full = MotionGRU(channels: channels, using: &random)
        let variant = MotionGRU(channels: channels, transient: transient, trend: trend, using: &random)
        try variant.loadParameters(from: full.stateDictionary(), source: "full MotionGRU")
        return variant
    }

    @Test func fullFilterIsTransientPlusTrend() throws {
        let (encoded, filter, trend) = inputs(seed: 1)
        let full = try motionGRU(transient: true, trend: true)
        let transientOnly = try motionGRU(transient: true, trend: false)
        let trendOnly = try motionGRU(transient: false, trend: true)
        let f = full(encoded, previousFilter: filter, previousTrend: trend)
        let fTransient = transientOnly(encoded, previousFilter: filter, previousTrend: trend)
        let fTrend = trendOnly(encoded, previousFilter: filter, previousTrend: trend)
        // F = F' + D with D = D_prev + α(F_prev − D_prev).
        #expect((fTransient.filter + fTrend.filter).value.maxAbsoluteDifference(to: f.filter.value) < 1e-6)
        #expect(fTrend.filter.value.maxAbsoluteDifference(to: f.trend.value) == 0)
        // Without the trend, D is passed on untouched.
        #expect(fTransient.trend.value.maxAbsoluteDifference(to: trend.value) == 0)
    }

    @Test func trendOnlyFromZeroStatesNeverMoves() throws {
        let (encoded, _, _) = inputs(seed: 2)
        let trendOnly = try motionGRU(transient: false, trend: true)
        var filter = Variable(Tensor(zeros: [batch, 18, height, width]))
        var trend = filter
        for _ in 0..<3 {
            (_, filter, trend) = trendOnly(encoded, previousFilter: filter, previousTrend: trend)
        }
        #expect(filter.value.scalars.allSatisfy { $0 == 0 })
        #expect(trend.value.scalars.allSatisfy { $0 == 0 })
    }

    @Test func alphaScalesTheMomentumStep() throws {
        let (encoded, filter, trend) = inputs(seed: 3)
        var random = RandomGenerator(seed: 8)
        let motionGRU = MotionGRU(channels: channels, alpha: 0.25, using: &random)
        let result = motionGRU(encoded, previousFilter: filter, previousTrend: trend)
        let expected = trend.value.scalars.indices.map {
            trend.value.scalars[$0] + 0.25 * (filter.value.scalars[$0] - trend.value.scalars[$0])
        }
        let difference = zip(result.trend.value.scalars, expected).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-6)
    }
}
