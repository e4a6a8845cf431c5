import Imaging
import Foundation

/// Decoding through Debian's `ffmpeg`/`ffprobe` command-line tools (JPEG, BMP, WebP, … and video
/// files): the tool writes raw `gray`/`rgb24` frames (as binary PGM/PPM) to a pipe and we cut
/// them apart. Cropping,
/// resizing and frame selection run inside ffmpeg, so a long video never sits in memory whole.
public enum FFmpeg {
    /// Frame selection and per-frame processing for `decode`.
    public struct Options: Sendable {
        /// 1 (gray) or 3 (RGB).
        public var channels: Int
        /// First frame (0-based) to keep.
        public var start: Int
        /// Keep every `stride`-th frame from `start` on.
        public var stride: Int
        /// At most this many frames (nil: all).
        public var limit: Int?
        public var crop: Crop?
        public var resize: (width: Int, height: Int)?
        public var resizeMethod: ResizeMethod

        public init(channels: Int = 3, start: Int = 0, stride: Int = 1, limit: Int? = nil,
                    crop: Crop? = nil, resize: (width: Int, height: Int)? = nil,
                    resizeMethod: ResizeMethod = .bilinear) {
            precondition(channels == 1 || channels == 3, "FFmpeg.Options: channels must be 1 or 3, got \(channels)")
            precondition(start >= 0 && stride >= 1 && (limit ?? 1) >= 0,
                         "FFmpeg.Options: need start ≥ 0, stride ≥ 1, limit ≥ 0")
            self.channels = channels
            self.start = start
            self.stride = stride
            self.limit = limit
            self.crop = crop
            self.resize = resize
            self.resizeMethod = resizeMethod
        }
    }

    /// Whether both tools are on PATH.
    public static var isAvailable: Bool { locate("ffmpeg") != nil && locate("ffprobe") != nil }

    /// The (width, height) of the first video stream of `url`.
    public static func probeSize(_ url: URL) throws -> (width: Int, height: Int) {
        try checkReadable(url)
        let result = try run("ffprobe", ["-v", "error", "-select_streams", "v:0",
                                         "-show_entries", "stream=width,height", "-of", "csv=p=0", url.path])
        let text = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let fields = text.split(separator: "\n").first?.split(separator: ",").compactMap { Int($0) } ?? []
        guard result.status == 0, fields.count == 2, fields[0] > 0, fields[1] > 0 else {
            throw ImagingError.decodeFailed(path: url.path, stderr: tail(result.stderr.isEmpty
                ? "ffprobe found no video stream (output: \"\(text)\")" : result.stderr))
        }
        return (fields[0], fields[1])
    }

    /// Every selected frame of an image or video file.
    public static func decode(_ url: URL, options: Options = Options()) throws -> [Image] {
        var frames = [Image]()
        try decode(url, options: options) { frames.append($0); return true }
        return frames
    }

    /// Streams the selected frames to `body`, which returns false to stop early.
    public static func decode(_ url: URL, options: Options, _ body: (Image) throws -> Bool) throws {
        try checkReadable(url)
        if options.limit == 0 { return }
        var filters = [String]()
        if options.start > 0 || options.stride > 1 {
            filters.append("select='gte(n\\,\(options.start))*not(mod(n-\(options.start)\\,\(options.stride)))'")
        }
        if let crop = options.crop {
            // Only a crop needs the source size up front (one extra ffprobe run).
            let (sourceWidth, sourceHeight) = try probeSize(url)
            let (width, height) = try crop.size(width: sourceWidth, height: sourceHeight, path: url.path)
            filters.append("crop=\(width):\(height):\((sourceWidth - width) / 2):\((sourceHeight - height) / 2)")
        }
        if let resize = options.resize {
            let flags = options.resizeMethod == .nearest ? "neighbor" : "bilinear"
            filters.append("scale=\(resize.width):\(resize.height):flags=\(flags)")
        }
        var arguments = ["-nostdin", "-v", "error", "-noautorotate", "-i", url.path, "-map", "0:v:0"]
        if !filters.isEmpty { arguments += ["-vf", filters.joined(separator: ",")] }
        // Passthrough: one output frame per selected input frame, never duplicated or dropped.
        arguments += ["-vsync", "0"]
        if let limit = options.limit { arguments += ["-frames:v", String(limit)] }
        // Binary PGM/PPM frames: raw gray/rgb24 bytes behind a tiny header that carries the
        // size, so no ffprobe run (a third of a second each) is needed to cut frames apart.
        arguments += ["-f", "image2pipe", "-c:v", options.channels == 1 ? "pgm" : "ppm",
                      "-pix_fmt", options.channels == 1 ? "gray" : "rgb24", "-"]

        var parser = PNMStream(channels: options.channels)
        var stopped = false
        var delivered = 0
        var malformed: String?
        let status = try stream("ffmpeg", arguments) { chunk in
            parser.append(chunk)
            do {
                while let frame = try parser.next() {
                    delivered += 1
                    if try !body(frame) { stopped = true; return false }
                }
            } catch PNMStream.Malformed.header(let text) {
                malformed = text
                return false
            }
            return true
        }
        if stopped { return }
        if let malformed {
            throw ImagingError.decodeFailed(path: url.path, stderr: "unexpected ffmpeg output: \(malformed)")
        }
        guard status.code == 0 else {
            throw ImagingError.decodeFailed(path: url.path, stderr: tail(status.stderr))
        }
        guard parser.isEmpty else {
            throw ImagingError.decodeFailed(path: url.path, stderr: "ffmpeg output ended inside a frame")
        }
        guard delivered > 0 || options.start > 0 else {
            throw ImagingError.decodeFailed(path: url.path, stderr: tail(status.stderr.isEmpty
                ? "ffmpeg produced no frames" : status.stderr))
        }
    }

    /// One still image (JPEG, BMP, TIFF, WebP, …) decoded by ffmpeg, in its own size.
    public static func decodeImage(_ url: URL, channels: Int = 3) throws -> Image {
        guard let frame = try decode(url, options: Options(channels: channels, limit: 1)).first else {
            throw ImagingError.decodeFailed(path: url.path, stderr: "ffmpeg produced no frame")
        }
        return frame
    }

    // MARK: - Processes

    static func checkReadable(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ImagingError.io(path: url.path, reason: "no such file")
        }
        guard !isDirectory.boolValue, FileManager.default.isReadableFile(atPath: url.path) else {
            throw ImagingError.io(path: url.path, reason: isDirectory.boolValue ? "is a directory" : "not readable")
        }
    }

    /// The last lines of a tool's error output (enough to see what went wrong, never pages of it).
    static func tail(_ text: String, lines: Int = 12, characters: Int = 2000) -> String {
        let kept = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
            .joined(separator: "\n")
        return kept.count > characters ? String(kept.suffix(characters)) : String(kept)
    }

    static func locate(_ tool: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(tool)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Runs a tool to completion, returning its exit status, whole stdout and stderr.
    package static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        var output = [UInt8]()
        let status = try stream(tool, arguments) { output += $0; return true }
        return (status.code, output, status.stderr)
    }

    /// Runs a tool, handing its stdout to `body` chunk by chunk (false stops and kills the tool).
    /// stderr goes to a temporary file, so neither pipe can fill up and deadlock the tool.
    static func stream(_ tool: String, _ arguments: [String],
                       _ body: ([UInt8]) throws -> Bool) throws -> (code: Int32, stderr: String) {
        guard let executable = locate(tool) else { throw ImagingError.ffmpegMissing(tool: tool) }
        let errorFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("motionrnn-\(tool)-\(UUID().uuidString).log")
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil),
              let errorHandle = try? FileHandle(forWritingTo: errorFile) else {
            throw ImagingError.io(path: errorFile.path, reason: "cannot create a temporary file for \(tool)'s errors")
        }
        defer {
            try? errorHandle.close()
            try? FileManager.default.removeItem(at: errorFile)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ImagingError.io(path: executable.path, reason: "cannot start \(tool): \(error.localizedDescription)")
        }
        let reader = pipe.fileHandleForReading
        var failure: Error?
        while true {
            let chunk: Data
            do {
                chunk = try reader.read(upToCount: 1 << 20) ?? Data()
            } catch {
                failure = error
                break
            }
            if chunk.isEmpty { break }
            do {
                if try !body([UInt8](chunk)) { break }
            } catch {
                failure = error
                break
            }
        }
        if process.isRunning { process.terminate() }
        try? reader.close()
        process.waitUntilExit()
        if let failure { throw failure }
        let stderr = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, stderr)
    }
}

/// Cuts a stream of binary PGM (`P5`) / PPM (`P6`) images, as ffmpeg's image2pipe writes them,
/// into frames.
struct PNMStream {
    enum Malformed: Error { case header(String) }

    let channels: Int
    private var buffer = [UInt8]()
    private var offset = 0

    init(channels: Int) { self.channels = channels }

    var isEmpty: Bool { offset == buffer.count }

    mutating func append(_ bytes: [UInt8]) {
        if offset > 0 {
            buffer.removeFirst(offset)
            offset = 0
        }
        buffer += bytes
    }

    /// The next complete frame, or nil until more bytes arrive.
    mutating func next() throws -> Image? {
        // Header: magic, width, height, maxval, each followed by one whitespace byte.
        var fields = [Int]()
        var i = offset
        guard buffer.count - i >= 2 else { return nil }
        let magic = String(decoding: buffer[i..<(i + 2)], as: UTF8.self)
        guard magic == (channels == 1 ? "P5" : "P6") else { throw Malformed.header("expected \(channels == 1 ? "P5" : "P6"), got \(magic.debugDescription)") }
        i += 2
        while fields.count < 3 {
            while i < buffer.count, buffer[i] == 0x20 || buffer[i] == 0x0A || buffer[i] == 0x0D || buffer[i] == 0x09 { i += 1 }
            var value = 0, digits = 0
            while i < buffer.count, (48...57).contains(buffer[i]) {
                value = value * 10 + Int(buffer[i] - 48)
                digits += 1
                i += 1
                guard digits <= 9 else { throw Malformed.header("oversized header number") }
            }
            guard i < buffer.count else { return nil }
            guard digits > 0 else { throw Malformed.header("bad header byte \(buffer[i])") }
            fields.append(value)
        }
        i += 1   // the single whitespace byte before the pixels
        guard fields[2] == 255, fields[0] > 0, fields[1] > 0 else {
            throw Malformed.header("size \(fields[0])×\(fields[1]), maxval \(fields[2])")
        }
        let count = fields[0] * fields[1] * channels
        guard buffer.count - i >= count else { return nil }
        let frame = Image(width: fields[0], height: fields[1], channels: channels, bytes: Array(buffer[i..<(i + count)]))
        offset = i + count
        return frame
    }
}
