import ZlibCodec
import Datasets
import Foundation
import Testing

@Suite struct ZlibTests {
    private let sample: Data = {
        var bytes: [UInt8] = []
        for i in 0..<50_000 { bytes.append(UInt8((i * 7 + i / 100) % 251)) }
        return Data(bytes)
    }()

    @Test(arguments: [Zlib.Format.gzip, .zlib, .raw])
    func roundTrips(format: Zlib.Format) throws {
        let packed = Zlib.deflate(sample, format: format)
        #expect(packed.count < sample.count)
        let unpacked = try packed.withUnsafeBytes { try Zlib.inflate($0, format: format, path: "x") }
        #expect(unpacked == sample)
        // With the size known in advance too.
        let sized = try packed.withUnsafeBytes {
            try Zlib.inflate($0, format: format, path: "x", expectedSize: sample.count)
        }
        #expect(sized == sample)
    }

    @Test func gzipMagicAndKnownCRC() {
        #expect(gzip(sample).withUnsafeBytes { Zlib.isGzip($0) })
        #expect(!sample.withUnsafeBytes { Zlib.isGzip($0) })
        // The CRC-32 check value of "123456789" is 0xCBF43926.
        #expect(Data("123456789".utf8).withUnsafeBytes { Zlib.crc32($0) } == 0xCBF4_3926)
    }

    @Test func concatenatedGzipMembersAreOneFile() throws {
        let joined = gzip(Data("hello ".utf8)) + gzip(Data("world".utf8))
        let text = try joined.withUnsafeBytes { try Zlib.inflate($0, format: .gzip, path: "x") }
        #expect(String(decoding: text, as: UTF8.self) == "hello world")
    }

    @Test func truncatedStreamIsReported() {
        let packed = gzip(sample)
        for keep in [10, packed.count / 2, packed.count - 4] {
            expectDatasetError(.truncatedCompressedStream, pathContains: "cut.gz") {
                _ = try packed.prefix(keep).withUnsafeBytes {
                    try Zlib.inflate($0, format: .gzip, path: "cut.gz")
                }
            }
        }
    }

    /// The codec itself says what is wrong without a file name; the readers add theirs.
    @Test func theCodecThrowsItsOwnTypedErrors() {
        let packed = Zlib.deflate(sample, format: .zlib)
        #expect(throws: ZlibError.truncated) {
            _ = try packed.prefix(packed.count / 2).withUnsafeBytes { try Zlib.inflate($0, format: .zlib) }
        }
        #expect(throws: ZlibError.corrupt("decompresses to \(sample.count) bytes, expected \(sample.count + 1)")) {
            _ = try packed.withUnsafeBytes { try Zlib.inflate($0, format: .zlib, expectedSize: sample.count + 1) }
        }
    }

    @Test func corruptStreamAndChecksumAreReported() {
        var packed = gzip(sample)
        // A wrong CRC in the trailer.
        packed[packed.count - 6] ^= 0xFF
        do {
            _ = try packed.withUnsafeBytes { try Zlib.inflate($0, format: .gzip, path: "bad.gz") }
            Issue.record("a wrong CRC was accepted")
        } catch let error as DatasetError {
            guard case .corruptCompressedData = error.kind else {
                Issue.record("wrong kind: \(error)")
                return
            }
            #expect(error.path == "bad.gz")
        } catch { Issue.record("\(error)") }
        // Garbage where deflate data should be.
        var garbage = gzip(sample)
        for i in 12..<40 { garbage[i] = 0xFF }
        #expect(throws: DatasetError.self) {
            _ = try garbage.withUnsafeBytes { try Zlib.inflate($0, format: .gzip, path: "bad.gz") }
        }
        // A wrong expected size.
        let packedRaw = Zlib.deflate(sample, format: .raw)
        #expect(throws: DatasetError.self) {
            _ = try packedRaw.withUnsafeBytes {
                try Zlib.inflate($0, format: .raw, path: "x", expectedSize: sample.count + 1)
            }
        }
    }
}
