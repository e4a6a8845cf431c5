import Engine
import FVD
import Foundation

/// Runs the `i3d_fvd` fixture (SPEC §11.6) through our I3D, preprocessing and distance, and
/// says how far each result is from the reference: max|ours − ref| / max|ref| for tensors,
/// |ours − ref| / |ref| for distances.
public struct I3DFixtureVerifier {
    public struct Check: Sendable {
        public let name: String
        public let error: Double
        public let tolerance: Double
        public var passed: Bool { error <= tolerance }
    }

    let file: SafetensorsFile
    let network: I3D
    /// Tolerance of logits and traces (the sidecar's 1e-4) and of distances (1e-6).
    let tensorTolerance: Double, distanceTolerance = 1e-6
    /// Convolution multiply-adds and seconds spent in I3D, for the throughput.
    public private(set) var multiplyAdds = 0, networkSeconds = 0.0

    public init(fixture: URL, network: I3D, tolerance: Double = 1e-4) throws {
        file = try SafetensorsFile.read(from: fixture)
        self.network = network
        tensorTolerance = tolerance
    }

    /// Every check, in order; `log` gets each one as it is made.
    public mutating func run(log: (Check) -> Void) throws -> [Check] {
        var checks: [Check] = []
        func record(_ check: Check) { checks.append(check); log(check) }
        func compare(_ name: String, _ ours: Tensor, _ reference: String) throws {
            record(Check(name: name, error: Self.error(ours, try file.tensor(reference)), tolerance: tensorTolerance))
        }

        // Case A: the stored 16-frame 224 clip, with every endpoint's channel means.
        let videoA = try file.tensor("input.video224_u8")
        var traces: [(String, Tensor)] = []
        let stepsA = logitSteps(videoA) { name, x in traces.append((name, Self.channelMeans(x))) }
        for (name, means) in traces { try compare("trace \(name) channel means", means, "trace.\(name).mean_c") }
        try compare("case A logits per step", stepsA, "output.logits_steps")
        let logitsA = I3D.meanOverSteps(stepsA)
        try compare("case A logits", logitsA, "output.logits")

        // Case B: the same formula at 20 frames (two logit steps; pool 5a pads time (0, 1)).
        let videoB = FixtureVideo.make(videos: 2, frames: 20, height: 224, width: 224)
        let firstFrames = Concatenation.slice(videoB, start: 0, length: 16, axis: 1)
        record(Check(name: "20-frame video regenerated (its first 16 frames = the stored clip)",
                     error: Self.error(firstFrames, videoA), tolerance: 0))
        let stepsB = logitSteps(videoB)
        try compare("20 frames: logits per step", stepsB, "output.t20.logits_steps")
        try compare("20 frames: logits", I3D.meanOverSteps(stepsB), "output.t20.logits")

        // example.py's constant clips: 15 frames of −1 (u = 0) and of +1 (u = 255).
        let constant = Tensor(shape: [2, 15, 224, 224, 3],
                              scalars: (0..<(2 * 15 * 224 * 224 * 3)).map { $0 < 15 * 224 * 224 * 3 ? 0 : 255 })
        let logitsConstant = I3D.meanOverSteps(logitSteps(constant))
        try compare("constant clips (15 frames): logits", logitsConstant, "output.const15.logits")
        let copies = (0..<2).map { row in
            Array(repeating: (0..<I3D.classes).map { Double(logitsConstant[row, $0]) }, count: 16)
        }
        record(distanceCheck("constant clips: FVD of 16 copies a side", FrechetDistance.distance(copies[0], copies[1]),
                             133.90805009339363, tolerance: tensorTolerance))

        // End to end: the 64×64 clip through the TF1 resize and I3D.
        let logitsE2E = I3D.meanOverSteps(logitSteps(try file.tensor("input.video64_u8")))
        try compare("64×64 clip end to end: logits", logitsE2E, "output.e2e.logits")
        record(distanceCheck("FVD of case A vs the 64×64 clip (n = 2)",
                             FrechetDistance.distance(Self.rows(logitsA), Self.rows(logitsE2E)),
                             4175.146368231748, tolerance: tensorTolerance))

        // The distance on the stored embedding sets, by both rules.
        let small = (Self.rows(try file.tensor("fd.small.a")), Self.rows(try file.tensor("fd.small.b")))
        let full = (Self.rows(try file.tensor("fd.full.a")), Self.rows(try file.tensor("fd.full.b")))
        for (name, sets, value) in [("small (32 + 32 of 400)", small, 1015.0095757289484),
                                    ("full (200 + 150 of 64)", full, 21.55662252229394)] {
            for (rule, method) in [("TF-GAN rule", FrechetDistance.Method.reference), ("nuclear norm", .nuclearNorm)] {
                record(distanceCheck("Fréchet distance \(name), \(rule)",
                                     FrechetDistance.distance(sets.0, sets.1, method: method), value,
                                     tolerance: distanceTolerance))
            }
        }
        return checks
    }

    /// Logits per step of videos [B, T, H, W, 3] on the 0…255 scale, timed.
    private mutating func logitSteps(_ videos: Tensor, observe: ((String, Tensor) -> Void)? = nil) -> Tensor {
        let frames = Array(videos.shape.dropFirst())
        let clips = (0..<videos.shape[0]).map {
            ClipPreprocessing.clip(from255: Concatenation.slice(videos, start: $0, length: 1, axis: 0).reshaped(frames))
        }
        let start = Date()
        let steps = network.logitSteps(Concatenation.apply(clips, axis: 0), observe: observe)
        networkSeconds += Date().timeIntervalSince(start)
        multiplyAdds += videos.shape[0] * I3D.multiplyAdds(frames: frames[0])
        return steps
    }

    private func distanceCheck(_ name: String, _ ours: Double, _ reference: Double, tolerance: Double) -> Check {
        Check(name: name, error: abs(ours - reference) / abs(reference), tolerance: tolerance)
    }

    /// The fixtures' measure (`Tensor.relativeError`); a wrong shape never passes.
    static func error(_ ours: Tensor, _ reference: Tensor) -> Double {
        ours.shape == reference.shape ? ours.relativeError(to: reference) : .infinity
    }

    /// [B, C, t, h, w] → [B, C] means (in Float64, as the fixture's).
    static func channelMeans(_ x: Tensor) -> Tensor {
        let (batch, channels) = (x.shape[0], x.shape[1])
        let plane = x.count / (batch * channels)
        return Tensor(shape: [batch, channels], scalars: (0..<(batch * channels)).map {
            Float(Elementwise.sum(x.pointer + $0 * plane, count: plane) / Double(plane))
        })
    }

    static func rows(_ t: Tensor) -> [[Double]] {
        (0..<t.shape[0]).map { i in (0..<t.shape[1]).map { Double(t[i, $0]) } }
    }
}
