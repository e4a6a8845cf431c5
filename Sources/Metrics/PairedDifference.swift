import Foundation

/// The mean of paired differences `a[i] − b[i]` (e.g. two models' MSE on the same test
/// sequences) with its standard error and a 95 % interval. The interval is the normal
/// approximation, fine for the hundreds of sequences a comparison scores; it measures how much
/// the mean would move with other test sequences, not with another training seed.
public struct PairedDifference: Equatable, Sendable {
    public let count: Int
    /// Mean of `a[i] − b[i]`.
    public let mean: Double
    /// Standard deviation of the differences over √count (sample variance, n − 1).
    public let standardError: Double

    /// Nil unless both hold the same number of values, at least two.
    public init?(_ a: [Double], _ b: [Double]) {
        guard a.count == b.count, a.count >= 2 else { return nil }
        let differences = zip(a, b).map { $0 - $1 }
        let n = Double(differences.count)
        let mean = differences.reduce(0, +) / n
        let variance = differences.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)
        self.count = differences.count
        self.mean = mean
        self.standardError = (variance / n).squareRoot()
    }

    /// Mean ± 1.96 standard errors.
    public var interval95: ClosedRange<Double> { (mean - 1.96 * standardError)...(mean + 1.96 * standardError) }

    /// Whether the 95 % interval leaves out zero.
    public var excludesZero: Bool { !interval95.contains(0) }
}
