import Engine
import Foundation

/// Whole-file reads and atomic writes with errors that name the file.
package enum FileIO {
    package static func read(_ url: URL) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.path)
                ? "cannot read the file (\(error.localizedDescription))" : "no such file"
            throw ImagingError.io(path: url.path, reason: reason)
        }
    }

    /// Writes via a temporary file and rename, so a crash never leaves a half-written picture.
    package static func write(_ bytes: [UInt8], to url: URL) throws {
        do {
            try AtomicFile.write(Data(bytes), to: url)
        } catch let error as AtomicFile.WriteError {
            throw ImagingError.io(path: url.path, reason: "cannot write: \(error.reason)")
        }
    }

    package static func write(_ text: String, to url: URL) throws {
        try write(Array(text.utf8), to: url)
    }
}
