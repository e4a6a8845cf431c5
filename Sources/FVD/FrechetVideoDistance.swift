import Engine
import Foundation
import Synchronization

/// FVD of two sets of videos (SPEC §11): preprocessing, I3D embeddings, Fréchet distance.
/// Videos are [T, H, W, C] tensors in [0, 1] with C = 1 or 3 and T ≥ 9.
public struct FrechetVideoDistance: Sendable {
    public let network: I3D

    public init(weights url: URL = I3DWeights.defaultURL) throws {
        network = try I3D(weights: I3DWeights(contentsOf: url))
    }

    /// What one FVD computation found and cost.
    public struct Result: Sendable {
        public let fvd: Double
        public let counts: (Int, Int)
        /// Convolution multiply-adds of both sets' I3D passes (2 FLOPs each).
        public let multiplyAdds: Int
        public let seconds: Double
        public var gigaflops: Double { 2 * Double(multiplyAdds) / 1e9 }
    }

    /// Checks a set before any costly work: n ≥ 2, every video [T ≥ 9, H, W, 1 or 3].
    public static func validate(_ videos: [Tensor], set: String) throws {
        guard videos.count >= 2 else { throw FVDError.tooFewVideos(set: set, count: videos.count) }
        for (index, video) in videos.enumerated() {
            guard video.rank == 4, video.shape[1] > 0, video.shape[2] > 0, [1, 3].contains(video.shape[3]) else {
                throw FVDError.badVideo(set: set, reason: "video \(index) is \(video.shape), not [T, H, W, 1 or 3]")
            }
            guard video.shape[0] >= I3D.minimumFrames else {
                throw FVDError.tooFewFrames(set: set, frames: video.shape[0])
            }
        }
    }

    /// The FVD of sets `a` and `b`; `progress(done, total)` after each video.
    public func distance(_ a: [Tensor], _ b: [Tensor], names: (String, String) = ("set A", "set B"),
                         progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Result {
        try Self.validate(a, set: names.0)
        try Self.validate(b, set: names.1)
        let start = Date()
        // Both sets in one pass: no core waits at the end of the first.
        let rows = embeddings(a + b) { progress?($0, a.count + b.count) }
        let cost = (a + b).reduce(0) { $0 + I3D.multiplyAdds(frames: $1.shape[0]) }
        return Result(fvd: FrechetDistance.distance(Array(rows[..<a.count]), Array(rows[a.count...])),
                      counts: (a.count, b.count),
                      multiplyAdds: cost, seconds: Date().timeIntervalSince(start))
    }

    /// One embedding (400 logits averaged over the steps) per video, in Float64. Each core takes
    /// the next video when it is done with one (whole videos: no hand-off inside the network,
    /// and a core slowed by other work simply does fewer); `progress(done)` after each.
    public func embeddings(_ videos: [Tensor], progress: (@Sendable (Int) -> Void)? = nil) -> [[Double]] {
        var rows = [[Double]](repeating: [], count: videos.count)
        let done = Mutex(0)
        rows.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let slots = slots   // each task writes its own video's slot
            Parallel.forEach(videos.count) { index in
                let embedding = network.embeddings(ClipPreprocessing.clip(fromUnitFrames: videos[index]))
                slots[index] = embedding.scalars.map(Double.init)
                done.withLock { count in
                    count += 1
                    progress?(count)
                }
            }
        }
        return rows
    }
}
