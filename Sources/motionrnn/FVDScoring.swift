import Engine
import FVD
import Foundation

/// The FVD run both `fvd` and `test --fvd` print: sizes and cost up front, progress on stderr,
/// then n per set, the distance and what it cost.
enum FVDScoring {
    /// The distance of `a` and `b`, with its report lines printed.
    static func score(_ a: [Tensor], _ b: [Tensor], names: (String, String), weights: String?) throws
        -> FrechetVideoDistance.Result {
        try FrechetVideoDistance.validate(a, set: names.0)
        try FrechetVideoDistance.validate(b, set: names.1)
        let fvd = try FrechetVideoDistance(weights: weights.map(URL.init(fileURLWithPath:)) ?? I3DWeights.defaultURL)
        let planned = 2 * Double((a + b).reduce(0) { $0 + I3D.multiplyAdds(frames: $1.shape[0]) }) / 1e9
        print(String(format: "FVD: %d + %d videos through I3D (%.0f GFLOP) on %d cores", a.count, b.count, planned,
                     Parallel.coreCount))
        let start = Date()
        let total = a.count + b.count
        let result = try fvd.distance(a, b, names: names) { done, _ in
            let elapsed = Date().timeIntervalSince(start)
            let left = elapsed / Double(done) * Double(total - done)
            FileHandle.standardError.write(Data(String(format: "\r  video %d/%d, %.0f s, about %.0f s left   ",
                                                       done, total, elapsed, left).utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        }
        print("n: \(result.counts.0) (\(names.0)), \(result.counts.1) (\(names.1)); compare FVDs only at equal n")
        print(String(format: "FVD = %.4f", result.fvd))
        print(String(format: "cost: %.0f GFLOP in %.1f s (%.1f GFLOP/s)", result.gigaflops, result.seconds,
                     result.gigaflops / result.seconds))
        return result
    }
}
