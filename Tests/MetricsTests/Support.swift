import Engine
import Metrics

/// 24-bit uniforms in [0, 1) from a 64-bit LCG: the same numbers as the Python reference script
/// quoted in `ReferenceTests`, so the frames there can be rebuilt exactly.
func uniforms(seed: UInt64, count: Int) -> [Float] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / 16_777_216
    }
}

/// A reference frame pair: truth uniform in [0, 1), prediction = truth + spread·(u − 0.5)
/// (Float arithmetic in this order, like the script's float32; it may leave [0, 1]).
func referencePair(seed: UInt64, height: Int, width: Int, channels: Int,
                   spread: Float) -> (truth: [Float], prediction: [Float]) {
    let count = height * width * channels
    let truth = uniforms(seed: seed, count: count)
    let noise = uniforms(seed: seed + 1000, count: count)
    return (truth, zip(truth, noise).map { $0 + spread * ($1 - 0.5) })
}

/// Scores one frame (given as flat H·W·C arrays) with a fresh scorer.
func scoreFrame(_ truth: [Float], _ prediction: [Float], height: Int, width: Int, channels: Int,
                categorical: CategoricalScoring? = nil) -> (FrameScores, [Int]) {
    let scorer = FrameScorer(height: height, width: width, channels: channels, categorical: categorical)
    var counts = [Int](repeating: 0, count: max(1, scorer.countsPerFrame))
    let scores = counts.withUnsafeMutableBufferPointer { c in
        scorer.score(truth: truth, prediction: prediction, counts: c.baseAddress!)
    }
    return (scores, Array(counts.prefix(scorer.countsPerFrame)))
}

/// |a − b| ≤ tolerance · max(1, |b|).
func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
}
