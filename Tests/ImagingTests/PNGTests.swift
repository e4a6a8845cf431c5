import Foundation
@testable import DataSources
@testable import Imaging
import Testing
import TestSupport

@Suite struct PNGTests {
    @Test(arguments: [(1, 1, 1), (7, 5, 1), (13, 9, 3), (64, 64, 3), (1, 31, 3)])
    func roundTrip(width: Int, height: Int, channels: Int) throws {
        // Gradients favour the up/Paeth filters, noise favours none: both paths get exercised.
        for image in [gradientImage(width: width, height: height, channels: channels),
                      Image(width: width, height: height, channels: channels,
                            bytes: pseudoRandomBytes(width * height * channels, seed: UInt64(width)))] {
            let bytes = PNG.encode(image)
            #expect(Array(bytes[0..<8]) == PNG.signature)
            #expect(try PNG.decode(bytes) == image)
        }
    }

    @Test func writesAndReadsFiles() throws {
        let folder = try TemporaryFolder()
        let image = gradientImage(width: 33, height: 17, channels: 3)
        try PNG.write(image, to: folder.file("a.png"))
        #expect(try PNG.read(from: folder.file("a.png")) == image)
    }

    /// ffmpeg's own PNG encoder (different filters, zlib settings and chunk layout), in the pixel
    /// formats a user's files come in. The source is lossless RGB, so pixels must agree exactly.
    @Test(.requires(.ffmpeg))
    func readsPNGsMadeByFFmpeg() throws {
        let folder = try TemporaryFolder()
        let source = gradientImage(width: 23, height: 11, channels: 3)
        try PNG.write(source, to: folder.file("source.png"))
        for format in ["rgb24", "rgba", "gray", "ya8", "rgb48be", "gray16be", "pal8", "monob"] {
            let file = folder.file("ff-\(format).png")
            try ffmpeg(["-i", folder.file("source.png").path, "-pix_fmt", format, file.path])
            let decoded = try PNG.read(from: file)
            #expect(decoded.width == 23 && decoded.height == 11, "\(format)")
            let reference = try FFmpeg.decodeImage(file, channels: decoded.channels)
            if format.hasSuffix("16be") || format == "rgb48be" {
                // swscale's 8→16→8-bit conversions add ±1-2 of noise; we round exactly.
                let worst = zip(decoded.bytes, reference.bytes).map { abs(Int($0) - Int($1)) }.max() ?? 0
                #expect(decoded.channels == reference.channels && worst <= 2, "\(format): off by \(worst)")
            } else {
                #expect(decoded == reference, "\(format): differs from ffmpeg's own decoding")
            }
            if format == "rgb24" || format == "rgba" { #expect(decoded == source, "\(format)") }
        }
        // Adam7 interlacing (ffmpeg's PNG encoder interlaces under +ildct), in colour and in
        // a 1-bit format, whose passes have partial bytes.
        for format in ["rgb24", "monob", "gray"] {
            let file = folder.file("interlaced-\(format).png")
            try ffmpeg(["-i", folder.file("source.png").path, "-pix_fmt", format, "-flags", "+ildct", file.path])
            let bytes = try FileIO.read(file)
            #expect(bytes[28] == 1, "ffmpeg did not write an interlaced file; the test proves nothing")
            let decoded = try PNG.decode(bytes)
            #expect(decoded == (try FFmpeg.decodeImage(file, channels: decoded.channels)), "interlaced \(format)")
            if format == "rgb24" { #expect(decoded == source) }
        }
    }

    @Test func rejectsBadSignature() throws {
        var bytes = PNG.encode(gradientImage(width: 4, height: 4, channels: 1))
        bytes[1] = UInt8(ascii: "Q")
        expectCorrupt(bytes, containing: "signature")
        expectCorrupt([0x89, 0x50], containing: "signature")
    }

    @Test func rejectsBadCRC() throws {
        var bytes = PNG.encode(gradientImage(width: 4, height: 4, channels: 3))
        bytes[8 + 8 + 3] ^= 0xFF    // a byte of IHDR's data (the width)
        expectCorrupt(bytes, containing: "CRC mismatch in chunk IHDR")
        var idat = PNG.encode(gradientImage(width: 4, height: 4, channels: 3))
        idat[33 + 8 + 2] ^= 0x01    // first data bytes of IDAT (after the 33-byte signature+IHDR)
        expectCorrupt(idat, containing: "CRC mismatch in chunk IDAT")
    }

    @Test func rejectsTruncatedFiles() throws {
        let bytes = PNG.encode(gradientImage(width: 16, height: 16, channels: 3))
        for cut in [10, 30, 40, bytes.count - 20, bytes.count - 12, bytes.count - 1] {
            expectCorrupt(Array(bytes[0..<cut]), containing: "truncated")
        }
    }

    @Test func rejectsBadZlibStreamWithValidCRC() throws {
        // A well-formed chunk whose compressed data is garbage: only zlib can notice.
        var bytes = PNG.signature
        var header = [UInt8]()
        header.appendBigEndian(4); header.appendBigEndian(4); header += [8, 0, 0, 0, 0]
        PNG.appendChunk("IHDR", header, to: &bytes)
        PNG.appendChunk("IDAT", [0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0x00], to: &bytes)
        PNG.appendChunk("IEND", [], to: &bytes)
        #expect(throws: ImagingError.self) { try PNG.decode(bytes) }
        // And an IHDR that is not 8-bit-compatible colour type.
        var odd = PNG.signature
        header[9] = 5
        PNG.appendChunk("IHDR", header, to: &odd)
        expectCorrupt(odd, containing: "colour type 5")
    }

    /// Damage that keeps every CRC valid (a byte of IHDR or IDAT changed and its CRC recomputed)
    /// must end in a decoded image or an `ImagingError`, never a crash.
    @Test func survivesDamageBehindValidCRCs() throws {
        let original = PNG.encode(gradientImage(width: 9, height: 7, channels: 3))
        let noise = pseudoRandomBytes(1200, seed: 99)
        for trial in 0..<400 {
            var bytes = original
            let idatLength = Int(bytes.readBigEndian(at: 33))
            // Chunk data: IHDR at 16..<29, IDAT at 41..<41+length.
            let (start, length) = trial % 3 == 0 ? (16, 13) : (41, idatLength)
            let position = start + Int(noise[3 * trial]) % length
            bytes[position] ^= max(1, noise[3 * trial + 1])
            let type = Array(bytes[(start - 4)..<start])
            let fixed = PNG.crc(type, Array(bytes[start..<(start + length)]))
            for k in 0..<4 { bytes[start + length + k] = UInt8(truncatingIfNeeded: fixed >> (24 - 8 * UInt32(k))) }
            do {
                _ = try PNG.decode(bytes)
            } catch is ImagingError {
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func missingFileNamesThePath() {
        do {
            _ = try PNG.read(from: URL(fileURLWithPath: "/nonexistent/x.png"))
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains("/nonexistent/x.png") && "\(error)".contains("no such file"))
        }
    }

    private func expectCorrupt(_ bytes: [UInt8], containing text: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try PNG.decode(bytes, path: "bad.png")
            Issue.record("decoded a corrupt PNG", sourceLocation: sourceLocation)
        } catch {
            let message = "\(error)"
            #expect(message.hasPrefix("bad.png: corrupt image") && message.contains(text),
                    "message: \(message)", sourceLocation: sourceLocation)
        }
    }
}
