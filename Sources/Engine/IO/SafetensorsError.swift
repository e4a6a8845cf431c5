/// Why a safetensors file could not be read or written. The message always names the file.
public struct SafetensorsError: Error, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case fileNotFound
        case unreadable(String)
        /// The file cannot even hold the 8-byte header length.
        case tooShort(fileSize: Int)
        /// The header length claims more bytes than the file has.
        case headerTooLarge(headerLength: UInt64, fileSize: Int)
        /// The header is not JSON at all.
        case invalidJSON(String)
        /// The header is JSON but not the safetensors structure.
        case invalidHeader(String)
        case unsupportedDType(tensor: String, dtype: String)
        /// data_offsets outside the data block, reversed, or not matching shape × dtype size.
        case badOffsets(tensor: String, String)
        case overlappingOffsets(String, String)
        case missingTensor(String)
        case invalidTensorName(String)
    }

    public let path: String
    public let kind: Kind

    public init(path: String, _ kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public var description: String { "safetensors file \(path): \(problem)" }

    private var problem: String {
        switch kind {
        case .fileNotFound:
            return "no such file"
        case .unreadable(let reason):
            return "cannot be read (\(reason))"
        case .tooShort(let size):
            return "only \(size) bytes long, shorter than the 8-byte header length"
        case .headerTooLarge(let length, let size):
            return "header length \(length) does not fit in the file (\(size) bytes)"
        case .invalidJSON(let reason):
            return "header is not valid JSON (\(reason))"
        case .invalidHeader(let reason):
            return "malformed header: \(reason)"
        case .unsupportedDType(let tensor, let dtype):
            return "tensor '\(tensor)' has dtype '\(dtype)'; only F32, F64, F16 and BF16 can be read"
        case .badOffsets(let tensor, let reason):
            return "tensor '\(tensor)' has bad data_offsets: \(reason)"
        case .overlappingOffsets(let first, let second):
            return "tensors '\(first)' and '\(second)' have overlapping data_offsets"
        case .missingTensor(let name):
            return "no tensor named '\(name)'"
        case .invalidTensorName(let name):
            return "'\(name)' cannot be used as a tensor name"
        }
    }
}
