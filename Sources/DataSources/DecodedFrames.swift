import Datasets
import Engine
import Foundation
import Imaging

/// Long sequences decoded into memory from what a user points at: a folder of frames, a video
/// file, or a folder whose sub-folders (or videos) are one sequence each — radar echoes and
/// human motion usually come this way. `SlidingWindows` cuts training sequences out of them.
public struct DecodedFrames: LongSequenceSource {
    /// Each long sequence as `[N, H, W, C]` in [0, 1].
    public let sequences: [Tensor]
    /// Where each sequence came from (error messages, reports).
    public let origins: [String]

    public init(sequences: [Tensor], origins: [String]) {
        precondition(!sequences.isEmpty && sequences.count == origins.count,
                     "DecodedFrames: \(sequences.count) sequences, \(origins.count) origins")
        self.sequences = sequences
        self.origins = origins
    }

    /// Decodes `url`: a video or image file, a folder of frames, or a folder of such folders or
    /// videos. Every frame goes through `transform` (resize, crop, channels); all sequences must
    /// end up with one frame size.
    public static func load(_ url: URL, transform: FrameTransform, frameStride: Int = 1) throws -> DecodedFrames {
        let parts = try sequenceLocations(url)
        var sequences: [Tensor] = []
        for part in parts {
            let frames = try FrameSource.load(part, transform: transform, stride: frameStride)
            guard !frames.isEmpty else {
                throw DataSourceError(path: part.path, problem: "holds no frames")
            }
            let tensor = Tensor(frames: frames)
            if let first = sequences.first, Array(first.shape.dropFirst()) != Array(tensor.shape.dropFirst()) {
                throw DataSourceError(
                    path: part.path,
                    problem: "frames are \(Array(tensor.shape.dropFirst())) (H, W, C), those of \(parts[0].path) are \(Array(first.shape.dropFirst())); pass --resize to make them agree")
            }
            try checkFinite(tensor, path: part.path)
            sequences.append(tensor)
        }
        return DecodedFrames(sequences: sequences, origins: parts.map(\.path))
    }

    public var count: Int { sequences.count }
    public var frameShape: [Int] { Array(sequences[0].shape.dropFirst()) }
    public func length(ofSequence index: Int) -> Int { sequences[index].shape[0] }

    public func frames(_ frameIndices: [Int], ofSequence index: Int) throws -> Tensor {
        let sequence = sequences[index]
        let frameSize = frameShape.reduce(1, *)
        return Tensor(shape: [frameIndices.count] + frameShape) { out in
            for (position, frame) in frameIndices.enumerated() {
                precondition(frame >= 0 && frame < sequence.shape[0],
                             "DecodedFrames: frame \(frame) outside 0..<\(sequence.shape[0]) of \(origins[index])")
                (out.baseAddress! + position * frameSize).update(from: sequence.pointer + frame * frameSize, count: frameSize)
            }
        }
    }

    /// The first `fraction` of every sequence's frames, or of the sequences themselves when
    /// there are several: a train/test split without shared frames.
    public func split(trainFraction fraction: Double) -> (train: DecodedFrames, test: DecodedFrames) {
        if count >= 2 {
            let trainCount = min(count - 1, max(1, Int((Double(count) * fraction).rounded())))
            return (DecodedFrames(sequences: Array(sequences[..<trainCount]), origins: Array(origins[..<trainCount])),
                    DecodedFrames(sequences: Array(sequences[trainCount...]), origins: Array(origins[trainCount...])))
        }
        let length = sequences[0].shape[0]
        let cut = Int((Double(length) * fraction).rounded())
        let frameSize = frameShape.reduce(1, *)
        func part(_ range: Range<Int>) -> Tensor {
            Tensor(shape: [range.count] + frameShape) {
                $0.baseAddress!.update(from: sequences[0].pointer + range.lowerBound * frameSize, count: $0.count)
            }
        }
        return (DecodedFrames(sequences: [part(0..<cut)], origins: [origins[0] + " (first \(cut) frames)"]),
                DecodedFrames(sequences: [part(cut..<length)], origins: [origins[0] + " (frames \(cut)…)"]))
    }

    /// One sequence per sub-folder or video inside `url` when it holds those; otherwise `url`.
    static func sequenceLocations(_ url: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DataSourceError(path: url.path, problem: "no such file or folder")
        }
        guard isDirectory.boolValue else { return [url] }
        let entries = try FileManager.default.contentsOfDirectory(
            at: url, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles])
        let folders = entries.filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
        let videos = entries.filter { videoExtensions.contains($0.pathExtension.lowercased()) }
        let parts = folders + videos
        return parts.isEmpty ? [url] : parts.sorted { NaturalOrder.less($0.lastPathComponent, $1.lastPathComponent) }
    }

    static let videoExtensions: Set<String> = ["avi", "mp4", "mov", "mkv", "webm", "mpg", "mpeg", "m4v"]

    static func checkFinite(_ tensor: Tensor, path: String) throws {
        for i in 0..<tensor.count where !tensor.pointer[i].isFinite {
            throw DataSourceError(path: path, problem: "value \(i) is \(tensor.pointer[i])")
        }
    }
}

public struct DataSourceError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String
    public var description: String { "\(path): \(problem)" }
}
