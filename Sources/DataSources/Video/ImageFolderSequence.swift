import Imaging
import Foundation

/// Reads any still image: PNG natively, everything else (JPEG, BMP, TIFF, WebP, …) through ffmpeg.
public enum ImageFile {
    public static let pngExtensions: Set<String> = ["png"]
    /// Extensions handed to ffmpeg.
    public static let ffmpegExtensions: Set<String> = ["jpg", "jpeg", "bmp", "tif", "tiff", "webp",
                                                       "gif", "ppm", "pgm", "pnm", "tga"]
    public static var extensions: Set<String> { pngExtensions.union(ffmpegExtensions) }

    /// The image in its own size; `channels` (1 or 3) converts it, nil keeps the file's.
    public static func read(_ url: URL, channels: Int? = nil) throws -> Image {
        if pngExtensions.contains(url.pathExtension.lowercased()) {
            let image = try PNG.read(from: url)
            return channels.map { image.converted(toChannels: $0) } ?? image
        }
        return try FFmpeg.decodeImage(url, channels: channels ?? 3)
    }
}

/// A sequence stored as one image per frame in a folder (radar echoes, human motion), ordered
/// by file name in natural order (`2.png` before `10.png`). All frames must share one size:
/// a different one is an error naming the file, never silently resized.
public struct ImageFolderSequence: Sendable {
    public let directory: URL
    /// The frame files, in sequence order.
    public let files: [URL]
    public let transform: FrameTransform

    /// Lists the folder's image files (hidden files and other extensions are skipped).
    public init(directory: URL, transform: FrameTransform = .none,
                extensions: Set<String> = ImageFile.extensions) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw ImagingError.io(path: directory.path, reason: "no such folder")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ImagingError.io(path: directory.path, reason: "cannot list the folder (\(error.localizedDescription))")
        }
        let frames = names.filter {
            !$0.hasPrefix(".") && extensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased())
        }
        guard !frames.isEmpty else {
            throw ImagingError.invalidInput(
                "\(directory.path): no image frames (looked for .\(extensions.sorted().joined(separator: ", .")))")
        }
        self.directory = directory
        self.files = NaturalOrder.sorted(frames).map { directory.appendingPathComponent($0) }
        self.transform = transform
    }

    public var count: Int { files.count }

    /// Frame `index` after the transform, without checking it against the others.
    public func frame(_ index: Int) throws -> Image {
        let url = files[index]
        return try transform.apply(ImageFile.read(url, channels: transform.channels), path: url.path)
    }

    /// Frames `start`, `start + stride`, … (at most `limit`), all checked to have the size of the
    /// first file of the folder and converted to its channel count. Files are decoded on all cores.
    public func load(start: Int = 0, stride: Int = 1, limit: Int? = nil) throws -> [Image] {
        precondition(start >= 0 && stride >= 1, "ImageFolderSequence.load: need start ≥ 0 and stride ≥ 1")
        let every = Array(Swift.stride(from: start, to: files.count, by: stride))
        let indices = limit.map { Array(every.prefix($0)) } ?? every
        if indices.isEmpty { return [] }
        // The reference frame is the folder's first file, so every window of one folder agrees.
        let reference = try ImageFile.read(files[0], channels: transform.channels)
        let channels = transform.channels ?? reference.channels
        let results = UnsafeResults(count: indices.count)
        DispatchQueue.concurrentPerform(iterations: indices.count) { i in
            let url = files[indices[i]]
            results.set(i, Result {
                let raw = indices[i] == 0 ? reference : try ImageFile.read(url, channels: channels)
                guard raw.width == reference.width, raw.height == reference.height else {
                    throw ImagingError.sizeMismatch(path: url.path,
                        expected: "\(reference.width)×\(reference.height) (of \(files[0].lastPathComponent))",
                        actual: "\(raw.width)×\(raw.height)")
                }
                return try transform.apply(raw.converted(toChannels: channels), path: url.path)
            })
        }
        // Report the first failing file in sequence order, so the message is deterministic.
        return try results.values.map { try $0!.get() }
    }
}

/// One result slot per frame, written by exactly one concurrent worker each. Sendable by hand:
/// every access to `values` from the workers goes through the lock.
private final class UnsafeResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<Image, Error>?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: Result<Image, Error>) {
        lock.lock()
        values[i] = value
        lock.unlock()
    }
}

/// Opens whatever a user points at as a frame sequence: a folder of images, a single image, or a
/// video file (through ffmpeg).
public enum FrameSource {
    public static func load(_ url: URL, transform: FrameTransform = .none, start: Int = 0,
                            stride: Int = 1, limit: Int? = nil) throws -> [Image] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ImagingError.io(path: url.path, reason: "no such file or folder")
        }
        if isDirectory.boolValue {
            return try ImageFolderSequence(directory: url, transform: transform)
                .load(start: start, stride: stride, limit: limit)
        }
        if ImageFile.pngExtensions.contains(url.pathExtension.lowercased()) {
            return start == 0 && limit != 0 ? [try transform.apply(ImageFile.read(url, channels: transform.channels),
                                                                   path: url.path)] : []
        }
        let options = FFmpeg.Options(channels: transform.channels ?? 3, start: start, stride: stride,
                                     limit: limit, crop: transform.crop, resize: transform.resize,
                                     resizeMethod: transform.resizeMethod)
        return try FFmpeg.decode(url, options: options)
    }
}
