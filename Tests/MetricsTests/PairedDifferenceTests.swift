import Metrics
import Testing

@Suite struct PairedDifferenceTests {
    /// Worked by hand: differences 1, 2, 3, 6 → mean 3, sample variance (4+1+0+9)/3 = 14/3,
    /// standard error √(14/3 / 4) ≈ 1.0801.
    @Test func meanStandardErrorAndIntervalOfTheDifferences() throws {
        let d = try #require(PairedDifference([11, 12, 13, 16], [10, 10, 10, 10]))
        #expect(d.count == 4 && d.mean == 3)
        #expect(abs(d.standardError - (14.0 / 12).squareRoot()) < 1e-12)
        #expect(abs(d.interval95.lowerBound - (3 - 1.96 * d.standardError)) < 1e-12)
        #expect(abs(d.interval95.upperBound - (3 + 1.96 * d.standardError)) < 1e-12)
        #expect(d.excludesZero)
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

    @Test func unequalOrTooFewValuesGiveNone() {
        #expect(PairedDifference([1, 2], [1]) == nil)
        #expect(PairedDifference([1], [2]) == nil)
    }
}
