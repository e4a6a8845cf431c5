/// Why a data file could not be read, or a data source could not be found. The message always
/// names the file (or what was looked for) and the problem.
public struct DatasetError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable, Sendable {
        case fileNotFound
        case unreadable(String)
        /// The file ends before the data its header announces (sizes in bytes).
        case truncated(expected: Int, actual: Int)
        /// The first bytes are not those of the announced format.
        case badMagic(String)
        /// The header parses as the format but says something impossible or contradictory.
        case invalidHeader(String)
        case unsupportedDType(String)
        /// The array's shape is not one this reader accepts (`expected` says what it accepts).
        case wrongShape(expected: String, actual: [Int])
        /// NaN or ±Inf at this flat element index of a float array.
        case nonFinite(index: Int)
        /// Values outside the range [0, 1] that frames must have.
        case outOfRange(String)
        /// Compressed data that zlib rejects (corrupt stream, bad checksum).
        case corruptCompressedData(String)
        /// A compressed stream that stops before its end marker.
        case truncatedCompressedStream
        /// A zip archive whose end (the central directory) is missing: cut short.
        case truncatedArchive
        /// A zip archive member the reader needs is absent.
        case missingMember(String)
        /// Anything else wrong with the contents (bad CSV line, inconsistent members).
        case malformed(String)
        /// A packaged data source is not installed; the message says how to install it.
        case sourceNotInstalled(String)
    }

    public let path: String
    public let kind: Kind

    public init(path: String, _ kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public var description: String { "\(path): \(problem)" }

    private var problem: String {
        switch kind {
        case .fileNotFound:
            return "no such file"
        case .unreadable(let reason):
            return "cannot be read (\(reason))"
        case .truncated(let expected, let actual):
            return "truncated: needs \(expected) bytes but has \(actual)"
        case .badMagic(let what):
            return "not a \(what) file (wrong magic bytes)"
        case .invalidHeader(let reason):
            return "malformed header: \(reason)"
        case .unsupportedDType(let dtype):
            return "unsupported data type \(dtype)"
        case .wrongShape(let expected, let actual):
            return "array shape \(actual) is not \(expected)"
        case .nonFinite(let index):
            return "non-finite value (NaN or Inf) at element \(index)"
        case .outOfRange(let reason):
            return "values outside [0, 1]: \(reason)"
        case .corruptCompressedData(let reason):
            return "corrupt compressed data (\(reason))"
        case .truncatedCompressedStream:
            return "truncated: the compressed stream ends early"
        case .truncatedArchive:
            return "truncated: the zip archive has no end-of-central-directory record"
        case .missingMember(let name):
            return "archive has no member '\(name)'"
        case .malformed(let reason):
            return reason
        case .sourceNotInstalled(let howTo):
            return "not installed. \(howTo)"
        }
    }
}
