import Datasets
import Engine
import Foundation
import Imaging

/// A set of videos to score (FVD), as a user names it: a `.npy` of `[N, T, H, W]` or
/// `[N, T, H, W, C]` (uint8 0…255 or float in [0, 1]), a video file, a folder of frames, or a
/// folder of videos / frame folders (one video each). Every video is `[T, H, W, C]` in [0, 1].
public enum VideoSet {
    /// The videos at `path`; with `clipLength`, each is cut into consecutive clips of that many
    /// frames (a remainder shorter than a clip is dropped), so one long video gives a set.
    /// `transform` applies to decoded frames (videos, image folders), not to a `.npy`.
    public static func load(_ path: String, clipLength: Int? = nil, limit: Int? = nil,
                            transform: FrameTransform = .none) throws -> [Tensor] {
        let url = URL(fileURLWithPath: path)
        let videos = url.pathExtension.lowercased() == "npy"
            ? try numpy(NPYArray.read(from: url))
            : try DecodedFrames.load(url, transform: transform).sequences
        let cut = clipLength.map { length in videos.flatMap { Self.clips(of: $0, length: length) } } ?? videos
        return Array(cut.prefix(limit ?? cut.count))
    }

    /// `[N, T, H, W(, C)]` → N videos.
    static func numpy(_ array: NPYArray) throws -> [Tensor] {
        guard array.shape.count == 4 || array.shape.count == 5, array.shape.allSatisfy({ $0 > 0 }) else {
            throw DatasetError(path: array.path, .wrongShape(expected: "[N, T, H, W] or [N, T, H, W, C] (videos)",
                                                             actual: array.shape))
        }
        let divisor = try MovingMNISTFile.checkFrames(array)
        let video = Array(array.shape.dropFirst()) + (array.shape.count == 4 ? [1] : [])
        let size = video.reduce(1, *)
        return (0..<array.shape[0]).map { index in
            Tensor(shape: video) {
                array.copyFloats(from: index * size, count: size, into: $0.baseAddress!, dividingBy: divisor)
            }
        }
    }

    /// Consecutive clips of `length` frames of `video` [T, H, W, C].
    static func clips(of video: Tensor, length: Int) -> [Tensor] {
        (0..<(video.shape[0] / length)).map {
            Concatenation.slice(video, start: $0 * length, length: length, axis: 0)
        }
    }
}
