import Foundation
@testable import DataSources
@testable import Imaging
import Testing
import TestSupport

@Suite struct GIFTests {
    /// The blocks of a GIF file, parsed independently of the writer.
    struct Structure {
        var width = 0, height = 0, tableSize = 0
        var loopCount: Int?
        var delays = [Int]()
        var frames = [[UInt8]]()        // decoded palette indices per frame
        var palette = [UInt8]()
    }

    static func parse(_ b: [UInt8]) throws -> Structure {
        struct Bad: Error { let why: String }
        var s = Structure()
        guard String(decoding: b[0..<6], as: UTF8.self) == "GIF89a" else { throw Bad(why: "header") }
        s.width = Int(b[6]) | Int(b[7]) << 8
        s.height = Int(b[8]) | Int(b[9]) << 8
        guard b[10] & 0x80 != 0 else { throw Bad(why: "no global table") }
        s.tableSize = 2 << Int(b[10] & 7)
        var i = 13
        s.palette = Array(b[i..<(i + 3 * s.tableSize)])
        i += 3 * s.tableSize
        func subBlocks() -> [UInt8] {
            var data = [UInt8]()
            while b[i] != 0 { let n = Int(b[i]); data += b[(i + 1)...(i + n)]; i += n + 1 }
            i += 1
            return data
        }
        while true {
            switch b[i] {
            case 0x21:
                let label = b[i + 1]
                i += 2
                let data = subBlocks()
                if label == 0xF9 { s.delays.append(Int(data[1]) | Int(data[2]) << 8) }
                if label == 0xFF, String(decoding: data[0..<11], as: UTF8.self) == "NETSCAPE2.0" {
                    s.loopCount = Int(data[12]) | Int(data[13]) << 8
                }
            case 0x2C:
                let w = Int(b[i + 5]) | Int(b[i + 6]) << 8, h = Int(b[i + 7]) | Int(b[i + 8]) << 8
                guard b[i + 9] == 0 else { throw Bad(why: "local table/interlace") }
                let minimum = Int(b[i + 10])
                i += 11
                s.frames.append(lzwDecode(subBlocks(), minimumCodeSize: minimum, count: w * h))
            case 0x3B:
                guard i == b.count - 1 else { throw Bad(why: "bytes after trailer") }
                return s
            default:
                throw Bad(why: "unknown block \(b[i]) at \(i)")
            }
        }
    }

    /// A plain GIF LZW decoder (the textbook algorithm), to check the encoder bit for bit.
    static func lzwDecode(_ data: [UInt8], minimumCodeSize: Int, count: Int) -> [UInt8] {
        let clear = 1 << minimumCodeSize, end = clear + 1
        var table = [[UInt8]]()
        var codeSize = minimumCodeSize + 1
        var out = [UInt8]()
        var previous: [UInt8]?
        var bitPosition = 0
        func reset() {
            table = (0..<clear).map { [UInt8($0)] } + [[], []]
            codeSize = minimumCodeSize + 1
            previous = nil
        }
        reset()
        while bitPosition + codeSize <= data.count * 8 {
            var code = 0
            for k in 0..<codeSize {
                let bit = bitPosition + k
                code |= Int(data[bit / 8] >> UInt8(bit % 8) & 1) << k
            }
            bitPosition += codeSize
            if code == clear { reset(); continue }
            if code == end { break }
            let entry: [UInt8]
            if code < table.count { entry = table[code] } else if let p = previous { entry = p + [p[0]] } else { return out }
            out += entry
            if let p = previous, table.count < 4096 { table.append(p + [entry[0]]) }
            previous = entry
            if table.count == 1 << codeSize && codeSize < 12 { codeSize += 1 }
        }
        return out.count == count ? out : out + [UInt8](repeating: 0xEE, count: max(0, count - out.count))
    }

    @Test func grayFramesAreLosslessAndStructured() throws {
        // Noise needs ~4096 codes quickly, so the encoder passes through clears and 12-bit codes.
        let frames = (0..<3).map { k in
            Image(width: 97, height: 61, channels: 1, bytes: pseudoRandomBytes(97 * 61, seed: UInt64(k + 5)))
        } + [gradientImage(width: 97, height: 61, channels: 1), Image(width: 97, height: 61, channels: 1)]
        let bytes = GIF.encode(frames, delayCentiseconds: 15, loopCount: 0)
        let s = try GIFTests.parse(bytes)
        #expect(s.width == 97 && s.height == 61 && s.tableSize == 256)
        #expect(s.loopCount == 0 && s.delays == [15, 15, 15, 15, 15])
        #expect(s.frames.count == 5)
        for (decoded, frame) in zip(s.frames, frames) { #expect(decoded == frame.bytes) }
        #expect(Array(s.palette[(3 * 77)..<(3 * 78)]) == [77, 77, 77])
    }

    @Test func colourPalettes() throws {
        let frame = gradientImage(width: 40, height: 30, channels: 3)
        for choice in [GIF.Palette.colorCube, .medianCut] {
            let s = try GIFTests.parse(GIF.encode([frame, frame], palette: choice, scale: 2))
            #expect(s.width == 80 && s.height == 60 && s.frames.count == 2)
            // Each pixel's palette colour is close to the original.
            var total = 0
            for y in 0..<60 {
                for x in 0..<80 {
                    let index = Int(s.frames[0][y * 80 + x])
                    let original = frame.color(x: x / 2, y: y / 2)
                    let c = Array(s.palette[(3 * index)..<(3 * index + 3)])
                    total += abs(Int(c[0]) - Int(original.r)) + abs(Int(c[1]) - Int(original.g)) + abs(Int(c[2]) - Int(original.b))
                }
            }
            let meanError = Double(total) / Double(80 * 60 * 3)
            #expect(meanError < (choice == .colorCube ? 16 : 6), "\(choice): mean error \(meanError)")
        }
        // Few colours: median cut reproduces them exactly.
        var few = Image(width: 8, height: 8, channels: 3, fill: .blue)
        few.fillRect(x: 0, y: 0, width: 4, height: 8, color: .orange)
        let s = try GIFTests.parse(GIF.encode([few], palette: .medianCut))
        let left = Int(s.frames[0][0]), right = Int(s.frames[0][7])
        #expect(Array(s.palette[(3 * left)..<(3 * left + 3)]) == [RGB.orange.r, RGB.orange.g, RGB.orange.b])
        #expect(Array(s.palette[(3 * right)..<(3 * right + 3)]) == [RGB.blue.r, RGB.blue.g, RGB.blue.b])
    }

    @Test(.requires(.ffmpeg))
    func ffmpegDecodesTheAnimation() throws {
        let folder = try TemporaryFolder()
        let frames = (0..<7).map { k in
            Image(width: 33, height: 21, channels: 1, bytes: pseudoRandomBytes(33 * 21, seed: UInt64(k)))
        }
        let url = folder.file("anim.gif")
        try GIF.write(frames, to: url, delayCentiseconds: 10)
        let count = try FFmpeg.run("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0",
                                                "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", url.path])
        #expect(String(decoding: count.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "7")
        let decoded = try FFmpeg.decode(url)
        #expect(decoded.count == 7)
        for (d, f) in zip(decoded, frames) { #expect(d == f.rgb()) }
        // A colour animation decodes to the right count and size as well.
        let colour = (0..<4).map { k in gradientImage(width: 20 + 0 * k, height: 12, channels: 3) }
        try GIF.write(colour, to: folder.file("colour.gif"), palette: .medianCut, scale: 3)
        let colourFrames = try FFmpeg.decode(folder.file("colour.gif"))
        #expect(colourFrames.count == 4 && colourFrames[0].width == 60 && colourFrames[0].height == 36)
    }
}
