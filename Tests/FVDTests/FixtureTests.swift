import Engine
import Foundation
@testable import FVD
import Testing
import TestSupport

/// The `i3d_fvd` fixture's preprocessing and Fréchet-distance cases (SPEC §11.4–11.6). The full
/// I3D network is checked in a release build by `motionrnn verify-fvd` (110 GFLOP per run).
@Suite struct FixtureTests {
    static let fixture = Result { try ReferenceTensors("i3d_fvd") }

    /// Frames [T, H, W, 3] of item `b` of a [B, T, H, W, 3] tensor.
    static func video(_ videos: Tensor, _ b: Int) -> Tensor {
        Concatenation.slice(videos, start: b, length: 1, axis: 0).reshaped(Array(videos.shape.dropFirst()))
    }

    /// Channel c of the preprocessed clip [1, 3, T, 224, 224] at frame t, row y, column x.
    static func value(_ clip: Tensor, t: Int, y: Int, x: Int, c: Int) -> Float { clip[0, c, t, y, x] }

    @Test func preprocessingMatchesTF1Bilinear() throws {
        let fixture = try Self.fixture.get()
        let videos = try fixture.tensor("input.video64_u8")
        let clips = (0..<2).map { ClipPreprocessing.clip(from255: Self.video(videos, $0)) }
        var error: Float = 0
        let frame = try fixture.tensor("preprocess.legacy.frame_b0_t0")
        for y in 0..<224 { for x in 0..<224 { for c in 0..<3 {
            error = max(error, abs(Self.value(clips[0], t: 0, y: y, x: x, c: c) - frame[y, x, c]))
        } } }
        let rows = try fixture.tensor("preprocess.legacy.rows_b1_t15")
        for (index, y) in [0, 1, 3, 4, 7, 100, 222, 223].enumerated() { for x in 0..<224 { for c in 0..<3 {
            error = max(error, abs(Self.value(clips[1], t: 15, y: y, x: x, c: c) - rows[index, x, c]))
        } } }
        let means = try fixture.tensor("preprocess.legacy.mean_btc")
        for b in 0..<2 { for t in 0..<16 { for c in 0..<3 {
            var sum = 0.0
            for y in 0..<224 { for x in 0..<224 { sum += Double(Self.value(clips[b], t: t, y: y, x: x, c: c)) } }
            error = max(error, abs(Float(sum / (224 * 224)) - means[b, t, c]))
        } } }
        #expect(error <= 1e-6, "max |Δ| \(error)")
        // The half-pixel variant (TF2, PyTorch) is not the reference: it must differ clearly.
        let halfPixel = try fixture.tensor("preprocess.half_pixel.rows_b0_t0")
        var gap: Float = 0
        for (index, y) in [0, 1, 3, 4, 7, 100, 222, 223].enumerated() { for x in 0..<224 { for c in 0..<3 {
            gap = max(gap, abs(Self.value(clips[0], t: 0, y: y, x: x, c: c) - halfPixel[index, x, c]))
        } } }
        #expect(gap > 0.01, "max |Δ| to the half-pixel variant \(gap)")
    }

    @Test func fullSizeFramesPassUnchanged() throws {
        // At 224 the resize is the identity: x = 2·u/255 − 1 exactly, and grey repeats to RGB.
        let grey = Tensor(shape: [9, 224, 224, 1], scalars: (0..<(9 * 224 * 224)).map { Float($0 % 256) / 255 })
        let clip = ClipPreprocessing.clip(fromUnitFrames: grey)
        #expect(clip.shape == [1, 3, 9, 224, 224])
        for (t, y, x) in [(0, 0, 0), (3, 17, 200), (8, 223, 223)] {
            let u = Float(((t * 224 + y) * 224 + x) % 256)
            for c in 0..<3 { #expect(abs(clip[0, c, t, y, x] - ((2 * u) / 255 - 1)) <= 1e-6) }
        }
    }

    static func rows(_ t: Tensor) -> [[Double]] {
        (0..<t.shape[0]).map { i in (0..<t.shape[1]).map { Double(t[i, $0]) } }
    }

    static func relative(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }

    @Test func frechetSmallSingularCase() throws {
        // 32 + 32 samples of 400: covariances of rank 31 (the usual FVD case).
        let fixture = try Self.fixture.get()
        let (a, b) = (Self.rows(try fixture.tensor("fd.small.a")), Self.rows(try fixture.tensor("fd.small.b")))
        let fvd = FrechetDistance.distance(a, b, method: .nuclearNorm)
        #expect(Self.relative(fvd, 1015.0095757289484) <= 1e-6, "\(fvd)")
        #expect(FrechetDistance.distance(a, b) == fvd)   // the choice for n < d
    }

    @Test func frechetFullRankCase() throws {
        // 200 + 150 samples of 64, both rules: TF-GAN's, and the exact nuclear norm.
        let fixture = try Self.fixture.get()
        let (a, b) = (Self.rows(try fixture.tensor("fd.full.a")), Self.rows(try fixture.tensor("fd.full.b")))
        let reference = FrechetDistance.distance(a, b, method: .reference)
        #expect(Self.relative(reference, 21.55662252229394) <= 1e-6, "\(reference)")
        let nuclear = FrechetDistance.distance(a, b, method: .nuclearNorm)
        #expect(Self.relative(nuclear, 21.556616413033314) <= 1e-6, "\(nuclear)")
        #expect(FrechetDistance.distance(a, b) == reference)   // the choice for n ≥ d
    }

    @Test func identicalSetsAreAtZero() {
        var random = TestRandom(seed: 3)
        let a = (0..<12).map { _ in (0..<5).map { _ in Double(random.uniform()) } }
        for method in [FrechetDistance.Method.reference, .nuclearNorm] {
            #expect(abs(FrechetDistance.distance(a, a, method: method)) <= 1e-9)
        }
    }
}
