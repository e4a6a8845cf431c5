import Foundation

/// The mean of paired differences `a[i] − b[i]` (e.g. two models' MSE on the same test
/// sequences) with its standard error and a 95 % interval: Student's t with count − 1 degrees
/// of freedom (a clip's 4 test windows need 3.18 standard errors, hundreds of sequences about
/// 1.97). It measures how much the mean would move with other test sequences, not with another
/// training seed.
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

    /// Mean ± t₀.₉₇₅(count − 1) standard errors.
    public var interval95: ClosedRange<Double> {
        let half = Self.studentT975(degreesOfFreedom: count - 1) * standardError
        return (mean - half)...(mean + half)
    }

    /// The 97.5 % quantile of Student's t: tabulated to 30 degrees of freedom, beyond that the
    /// Cornish–Fisher expansion about the normal's 1.95996 (off by under 10⁻⁴ there).
    static func studentT975(degreesOfFreedom df: Int) -> Double {
        precondition(df >= 1, "PairedDifference: needs at least one degree of freedom")
        if df <= studentT975Table.count { return studentT975Table[df - 1] }
        let z = 1.959964, n = Double(df)
        return z + (z * z * z + z) / (4 * n) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * n * n)
    }

    /// t₀.₉₇₅ for 1 … 30 degrees of freedom.
    private static let studentT975Table: [Double] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
        2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
        2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423]

    /// Whether the 95 % interval leaves out zero.
    public var excludesZero: Bool { !interval95.contains(0) }

    /// "+1.23 (95 % interval +0.50 to +1.96, excludes 0)", signed, `digits` after the point:
    /// whether the interval leaves out 0 says whether these samples can tell the two apart.
    public func described(digits: Int) -> String {
        let f = { (x: Double) in String(format: "%+.\(digits)f", x) }
        return "\(f(mean)) (95 % interval \(f(interval95.lowerBound)) to \(f(interval95.upperBound)), "
            + (excludesZero ? "excludes 0)" : "includes 0)")
    }
}
