import ZlibCodec
import Foundation

extension Zlib {
    /// `inflate` for a data file: zlib's complaint becomes a `DatasetError` naming `path`.
    public static func inflate(_ input: UnsafeRawBufferPointer, format: Format, path: String,
                               expectedSize: Int? = nil) throws -> Data {
        do {
            return try inflate(input, format: format, expectedSize: expectedSize)
        } catch {
            switch error {
            case .truncated: throw DatasetError(path: path, .truncatedCompressedStream)
            case .corrupt(let reason): throw DatasetError(path: path, .corruptCompressedData(reason))
            case .failed(let reason): throw DatasetError(path: path, .unreadable("zlib: \(reason)"))
            }
        }
    }
}
