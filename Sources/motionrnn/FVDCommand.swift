import ArgumentParser
import DataSources
import FVD
import Foundation
import Imaging

/// `motionrnn fvd A B`: the Fréchet Video Distance of two sets of videos (SPEC §11).
struct FVDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fvd",
        abstract: "Fréchet Video Distance of two sets of videos (I3D on Kinetics-400, as google-research's FVD).",
        discussion: """
            A set is a .npy of [N, T, H, W] or [N, T, H, W, C] (uint8, or float in [0, 1]), a video file, \
            a folder of frames, or a folder of videos / frame folders (one video each). Every video needs \
            at least 9 frames and each set at least 2 videos; frames are resized to 224×224 (TF1 bilinear). \
            FVD grows as n shrinks: compare only values at the same n (papers use 256 or 2048 videos of \
            16 frames). Costly: about 56 GFLOP per 16-frame video. Needs the I3D weights: \
            bash scripts/setup.sh.
            """)

    @Argument(help: "The first set of videos (e.g. the real ones).") var first: String
    @Argument(help: "The second set (e.g. the generated ones).") var second: String
    @Option(help: "Cut every video into consecutive clips of this many frames (at least 9; e.g. 16).")
    var clipLength: Int?
    @Option(help: "Use only the first N videos (clips) of each set.") var limit: Int?
    @Option(help: "Resize decoded frames (videos, image folders) to N×N first, to hold long or large videos in memory; I3D resizes to 224×224 anyway, but FVD of resized videos is not that of the originals.")
    var resize: Int?
    @Option(help: "The converted I3D weights (default $MOTIONRNN_I3D, else ~/.cache/motionrnn/i3d-kinetics-400.safetensors).")
    var weights: String?

    func validate() throws {
        if let clipLength, clipLength < I3D.minimumFrames {
            throw ValidationError("--clip-length must be at least \(I3D.minimumFrames) (I3D's shortest input), got \(clipLength)")
        }
        if let resize, resize < 1 {
            throw ValidationError("--resize must be a positive size in pixels, got \(resize)")
        }
        if let limit, limit < 2 {
            throw ValidationError("--limit must be at least 2 (the distance needs 2 videos per set), got \(limit)")
        }
    }

    func run() throws {
        let transform = resize.map { FrameTransform(resize: (width: $0, height: $0)) } ?? .none
        let a = try VideoSet.load(first, clipLength: clipLength, limit: limit, transform: transform)
        let b = try VideoSet.load(second, clipLength: clipLength, limit: limit, transform: transform)
        _ = try FVDScoring.score(a, b, names: (first, second), weights: weights)
    }
}
