import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why zlib could not decompress a stream. Callers add the file's name (`DatasetError`,
/// `ImagingError`).
public enum ZlibError: Error, Equatable, CustomStringConvertible {
    /// The stream stops before its end marker.
    case truncated
    /// Data zlib rejects (corrupt stream, bad checksum), or more or less than was expected.
    case corrupt(String)
    /// zlib itself failed (out of memory, could not start).
    case failed(String)

    public var description: String {
        switch self {
        case .truncated: return "the compressed stream ends early"
        case .corrupt(let reason): return "corrupt compressed data (\(reason))"
        case .failed(let reason): return "zlib failed (\(reason))"
        }
    }
}

/// Compression through the system zlib (no external tools), the one wrapper every reader and
/// writer uses: gzip files (`.gz`), the zlib streams inside PNG and the raw deflate streams
/// inside zip archives.
public enum Zlib {
    public enum Format: Sendable {
        /// A gzip file: one or more members, each with its header and CRC.
        case gzip
        /// A zlib stream (2-byte header, Adler-32 trailer), as inside PNG.
        case zlib
        /// Bare deflate data, as inside zip archives.
        case raw

        fileprivate var windowBits: Int32 {
            switch self {
            case .gzip: return 15 + 16
            case .zlib: return 15
            case .raw: return -15
            }
        }
    }

    /// True when the bytes start like a gzip file.
    public static func isGzip(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses `input`. `expectedSize` (if known) sizes the output buffer at once and is
    /// checked. Truncated input throws `ZlibError.truncated`, corrupt input `.corrupt`.
    public static func inflate(_ input: UnsafeRawBufferPointer, format: Format,
                               expectedSize: Int? = nil) throws(ZlibError) -> Data {
        var stream = z_stream()
        guard czlib_inflateInit2(&stream, format.windowBits) == Z_OK else {
            throw ZlibError.failed("could not be initialised")
        }
        defer { inflateEnd(&stream) }

        // The sizes a header claims are untrusted: start no larger than deflate can expand this
        // input to (at most 1 032:1), so a short file cannot make us allocate gigabytes (a
        // fuzzing finding); the buffer still grows as far as the data really inflates.
        let claimed = expectedSize ?? guessSize(input, format: format)
        var capacity = max(min(claimed, Self.maximumExpansion * input.count + 64), 1)
        var output = malloc(capacity)!.assumingMemoryBound(to: UInt8.self)
        var produced = 0
        var consumed = 0
        var finished = false
        do throws(ZlibError) {
            while true {
                if let expectedSize, produced > expectedSize {
                    throw ZlibError.corrupt("decompresses to more than the \(expectedSize) bytes expected")
                }
                if produced == capacity {
                    capacity *= 2
                    output = realloc(output, capacity)!.assumingMemoryBound(to: UInt8.self)
                }
                // zlib counts in 32 bits: feed at most 1 GiB at a time.
                let inChunk = min(input.count - consumed, 1 << 30)
                let outChunk = min(capacity - produced, 1 << 30)
                stream.next_in = UnsafeMutablePointer(
                    mutating: input.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) + consumed })
                stream.avail_in = UInt32(inChunk)
                stream.next_out = output + produced
                stream.avail_out = UInt32(outChunk)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                consumed += inChunk - Int(stream.avail_in)
                produced += outChunk - Int(stream.avail_out)
                if status == Z_STREAM_END {
                    // gzip files may hold several members back to back.
                    let rest = UnsafeRawBufferPointer(rebasing: input[consumed...])
                    if format == .gzip, isGzip(rest) {
                        inflateReset(&stream)
                        continue
                    }
                    if format == .gzip, rest.contains(where: { $0 != 0 }) {
                        throw ZlibError.corrupt("\(rest.count) bytes of garbage after the gzip stream")
                    }
                    finished = true
                    break
                }
                switch status {
                case Z_OK:
                    // Out of input with room left for output: the stream stops early.
                    if consumed == input.count && stream.avail_out > 0 {
                        throw ZlibError.truncated
                    }
                case Z_BUF_ERROR:
                    if consumed == input.count {
                        throw ZlibError.truncated
                    }
                case Z_NEED_DICT, Z_DATA_ERROR:
                    let message = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    throw ZlibError.corrupt(message)
                case Z_MEM_ERROR:
                    throw ZlibError.failed("out of memory")
                default:
                    throw ZlibError.corrupt("zlib status \(status)")
                }
            }
        } catch {
            free(output)
            throw error
        }
        precondition(finished)
        if let expectedSize, expectedSize != produced {
            free(output)
            throw ZlibError.corrupt("decompresses to \(produced) bytes, expected \(expectedSize)")
        }
        return Data(bytesNoCopy: output, count: produced, deallocator: .free)
    }

    /// Deflate's largest possible expansion ratio (zlib's documentation: 1 032:1).
    static let maximumExpansion = 1032

    /// Compresses `input` in one go (level 0–9; 6 is zlib's default).
    public static func deflate(_ input: UnsafeRawBufferPointer, format: Format,
                               level: Int32 = 6) -> Data {
        precondition(input.count < 1 << 31, "Zlib.deflate: input of \(input.count) bytes is too large")
        var stream = z_stream()
        precondition(czlib_deflateInit2(&stream, level, format.windowBits) == Z_OK,
                     "Zlib.deflate: zlib could not be initialised")
        defer { deflateEnd(&stream) }
        // deflateBound does not count the gzip header and trailer; add room for them.
        let capacity = Int(deflateBound(&stream, UInt(input.count))) + 64
        var output = [UInt8](repeating: 0, count: capacity)
        let written: Int = output.withUnsafeMutableBufferPointer { out in
            stream.next_in = UnsafeMutablePointer(
                mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(input.count)
            stream.next_out = out.baseAddress
            stream.avail_out = UInt32(capacity)
            let status = CZlib.deflate(&stream, Z_FINISH)
            precondition(status == Z_STREAM_END, "Zlib.deflate: zlib status \(status)")
            return capacity - Int(stream.avail_out)
        }
        return Data(output[0..<written])
    }

    public static func deflate(_ input: Data, format: Format, level: Int32 = 6) -> Data {
        input.withUnsafeBytes { deflate($0, format: format, level: level) }
    }

    /// The CRC-32 that zip and gzip store.
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt = 0
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset,
                              UInt32(chunk))
            offset += chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// A first output size: gzip stores the (32-bit) size at the end; otherwise assume 4×.
    private static func guessSize(_ input: UnsafeRawBufferPointer, format: Format) -> Int {
        if format == .gzip, input.count >= 18 {
            let n = input.count
            let stored = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16
                | Int(input[n - 1]) << 24
            // deflate cannot expand more than ~1032×: a corrupt size must not allocate more.
            if stored > 0 { return min(stored, input.count * 1032) }
        }
        return max(input.count * 4, 1 << 16)
    }
}
