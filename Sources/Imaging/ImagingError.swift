/// Everything that can go wrong reading, decoding or writing pictures. Each case names the file
/// (when there is one) and the problem, so a user can act on the message alone.
public enum ImagingError: Error, CustomStringConvertible, Equatable {
    /// A file's bytes do not form a valid image of the expected format.
    case corrupt(path: String, reason: String)
    /// A valid file in a variant this reader does not handle (e.g. 16-bit or interlaced PNG).
    case unsupported(path: String, reason: String)
    /// The file could not be read or written at all.
    case io(path: String, reason: String)
    /// `ffmpeg`/`ffprobe` is not installed.
    case ffmpegMissing(tool: String)
    /// ffmpeg ran but could not decode the file; `stderr` is the tail of its error output.
    case decodeFailed(path: String, stderr: String)
    /// Frames of one sequence disagree in size.
    case sizeMismatch(path: String, expected: String, actual: String)
    /// A folder holds no usable frames, or arguments make no sense.
    case invalidInput(String)

    public var description: String {
        switch self {
        case .corrupt(let path, let reason): return "\(path): corrupt image: \(reason)"
        case .unsupported(let path, let reason): return "\(path): unsupported image: \(reason)"
        case .io(let path, let reason): return "\(path): \(reason)"
        case .ffmpegMissing(let tool):
            return "\(tool) not found on PATH; install it with `apt-get install ffmpeg` "
                + "(needed to decode JPEG and video files)"
        case .decodeFailed(let path, let stderr):
            return "\(path): ffmpeg could not decode it:\n\(stderr)"
        case .sizeMismatch(let path, let expected, let actual):
            return "\(path): frame size \(actual) differs from the sequence's \(expected)"
        case .invalidInput(let message): return message
        }
    }
}
