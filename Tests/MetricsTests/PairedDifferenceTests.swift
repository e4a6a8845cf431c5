@testable import Metrics
import Testing

@Suite struct PairedDifferenceTests {
    /// Worked by hand: differences 1, 2, 3, 6 → mean 3, sample variance (4+1+0+9)/3 = 14/3,
    /// standard error √(14/3 / 4) ≈ 1.0801.
    @Test func meanStandardErrorAndIntervalOfTheDifferences() throws {
        let d = try #require(PairedDifference([11, 12, 13, 16], [10, 10, 10, 10]))
        #expect(d.count == 4 && d.mean == 3)
        #expect(abs(d.standardError - (14.0 / 12).squareRoot()) < 1e-12)
        // Student's t with 3 degrees of freedom: 3.1824 standard errors (a normal 1.96 would
        // claim far more certainty than 4 values give).
        #expect(abs(d.interval95.lowerBound - (3 - 3.1824 * d.standardError)) < 1e-12)
        #expect(abs(d.interval95.upperBound - (3 + 3.1824 * d.standardError)) < 1e-12)
        // 3 ± 3.44: four values do not make the difference sure (1.96 would have said so).
        #expect(!d.excludesZero)
    }

    /// The pairing matters: a shift shared by both sides cancels, so a small steady edge is
    /// certain even where the values themselves spread widely.
    @Test func aSharedSpreadCancels() throws {
        let b: [Double] = [10, 200, 35, 90, 150]
        let steady = try #require(PairedDifference(b.map { $0 - 1 }, b))
        #expect(steady.mean == -1 && steady.standardError == 0 && steady.excludesZero)
        let mixed = try #require(PairedDifference([11, 9, 12, 8], [10, 10, 10, 10]))
        #expect(mixed.mean == 0 && !mixed.excludesZero)
    }

    /// The expansion beyond the table meets it at 30 degrees of freedom and tends to the
    /// normal's quantile (reference values: 40 → 2.0211, 60 → 2.0003, 120 → 1.9799).
    @Test func theTQuantileBeyondTheTable() {
        #expect(abs(PairedDifference.studentT975(degreesOfFreedom: 30) - 2.0423) < 1e-4)
        for (df, t) in [(31, 2.0395), (40, 2.0211), (60, 2.0003), (120, 1.9799), (255, 1.9694)] {
            #expect(abs(PairedDifference.studentT975(degreesOfFreedom: df) - t) < 2e-4, "\(df)")
        }
    }

    /// The text a comparison report prints: signed, rounded, and saying whether the interval
    /// leaves out 0 (the hand-worked case above includes it; a steady edge excludes it).
    @Test func describedSaysWhetherTheIntervalLeavesOutZero() throws {
        let wide = try #require(PairedDifference([11, 12, 13, 16], [10, 10, 10, 10]))
        #expect(wide.described(digits: 2) == "+3.00 (95 % interval -0.44 to +6.44, includes 0)")
        let steady = try #require(PairedDifference([9, 199, 34.5], [10, 200, 35]))
        #expect(steady.described(digits: 2) == "-0.83 (95 % interval -1.55 to -0.12, excludes 0)")
    }

    @Test func unequalOrTooFewValuesGiveNone() {
        #expect(PairedDifference([1, 2], [1]) == nil)
        #expect(PairedDifference([1], [2]) == nil)
    }
}
