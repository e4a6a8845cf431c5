import ZlibCodec
import Foundation

/// Reading whole files, with errors that name them.
enum FileBytes {
    /// The file's bytes, memory-mapped (large Moving MNIST files are read lazily by the OS).
    static func read(_ url: URL) throws -> Data {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError(path: path, .fileNotFound)
        }
        guard !isDirectory.boolValue else {
            throw DatasetError(path: path, .unreadable("it is a directory"))
        }
        do {
            return try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw DatasetError(path: path, .unreadable(error.localizedDescription))
        }
    }

    /// The file's bytes, inflated when it is gzip-compressed (detected by its magic bytes, so a
    /// `.gz` suffix is not required).
    static func readMaybeGzipped(_ url: URL) throws -> Data {
        let data = try read(url)
        let gzipped = data.withUnsafeBytes { Zlib.isGzip($0) }
        guard gzipped else { return data }
        return try data.withUnsafeBytes { try Zlib.inflate($0, format: .gzip, path: url.path) }
    }
}
