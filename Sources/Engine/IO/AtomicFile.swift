import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old complete file or the new complete file, never
/// a half-written one: the bytes go to a temporary file in the same directory (so the final
/// rename stays on one file system, where it is atomic), which is flushed and then renamed over
/// the target. On any failure the temporary file is removed and the target is left untouched.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Sequential writer handed to the body of `write(to:_:)`.
    public final class Writer {
        fileprivate let descriptor: Int32
        fileprivate let path: String
        public private(set) var bytesWritten = 0

        fileprivate init(descriptor: Int32, path: String) {
            self.descriptor = descriptor
            self.path = path
        }

        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            guard var next = bytes.baseAddress else { return }
            var left = bytes.count
            while left > 0 {
                let written = posixWrite(descriptor, next, left)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: path, reason: String(cString: strerror(errno)))
                }
                next += written
                left -= written
                bytesWritten += written
            }
        }

        public func write(_ data: Data) throws {
            try data.withUnsafeBytes { try write($0) }
        }
    }

    /// Produces the file's contents with `body` and installs it atomically at `url`.
    public static func write(to url: URL, _ body: (Writer) throws -> Void) throws {
        let target = url.standardizedFileURL
        let directory = target.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(
            ".\(target.lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else {
            throw WriteError(path: target.path,
                             reason: "cannot create a temporary file in \(directory.path): "
                                 + String(cString: strerror(errno)))
        }
        var installed = false
        defer { if !installed { unlink(temporary.path) } }
        do {
            try body(Writer(descriptor: descriptor, path: target.path))
            // Flush before the rename, so a crash cannot leave a renamed but empty file.
            guard fsync(descriptor) == 0 else {
                throw WriteError(path: target.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else {
            throw WriteError(path: target.path, reason: String(cString: strerror(errno)))
        }
        guard rename(temporary.path, target.path) == 0 else {
            throw WriteError(path: target.path, reason: String(cString: strerror(errno)))
        }
        installed = true
        // Best effort: make the rename itself durable.
        let directoryDescriptor = open(directory.path, O_RDONLY)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Installs `data` atomically at `url`.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { try $0.write(data) }
    }
}

/// The POSIX `write`, named apart from `Writer.write`.
@inline(__always)
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}
