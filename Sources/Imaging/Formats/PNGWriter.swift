import ZlibCodec
import Foundation

/// PNG (RFC 2083 / ISO 15948) encoding and decoding of 8-bit gray and RGB frames.
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The PNG file of `image` (colour type 0 for gray, 2 for RGB; 8 bits; not interlaced).
    /// Each row gets the filter that minimises its sum of absolute residuals, the usual heuristic
    /// that makes deflate work well on smooth pictures.
    public static func encode(_ image: Image, compressionLevel: Int32 = 6) -> [UInt8] {
        precondition(image.width > 0 && image.height > 0, "PNG.encode: image \(image) is empty")
        var out = signature
        var header = [UInt8]()
        header.appendBigEndian(UInt32(image.width))
        header.appendBigEndian(UInt32(image.height))
        header += [8, image.channels == 1 ? 0 : 2, 0, 0, 0]  // depth, colour, deflate, filter set 0, no interlace
        appendChunk("IHDR", header, to: &out)
        appendChunk("IDAT", deflate(filteredRows(image), level: compressionLevel), to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    public static func write(_ image: Image, to url: URL) throws {
        try FileIO.write(encode(image), to: url)
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        out.appendBigEndian(UInt32(data.count))
        out += typeBytes
        out += data
        out.appendBigEndian(crc(typeBytes, data))
    }

    /// CRC-32 over the chunk type and data, as the PNG chunk trailer requires.
    static func crc(_ type: [UInt8], _ data: [UInt8]) -> UInt32 {
        (type + data).withUnsafeBytes { Zlib.crc32($0) }
    }

    static func deflate(_ data: [UInt8], level: Int32) -> [UInt8] {
        [UInt8](data.withUnsafeBytes { Zlib.deflate($0, format: .zlib, level: level) })
    }

    /// Every row prefixed by its filter byte and filtered against the row above.
    static func filteredRows(_ image: Image) -> [UInt8] {
        let bpp = image.channels
        let stride = image.width * bpp
        var out = [UInt8](repeating: 0, count: image.height * (stride + 1))
        var candidate = [UInt8](repeating: 0, count: stride)
        image.bytes.withUnsafeBufferPointer { px in
            let zeros = [UInt8](repeating: 0, count: stride)
            for y in 0..<image.height {
                let row = UnsafeBufferPointer(rebasing: px[(y * stride)..<((y + 1) * stride)])
                var best = 0
                var bestCost = Int.max
                var bestBytes = [UInt8]()
                zeros.withUnsafeBufferPointer { zeroRow in
                    let above = y > 0 ? UnsafeBufferPointer(rebasing: px[((y - 1) * stride)..<(y * stride)]) : zeroRow
                    for filter in 0...4 {
                        var cost = 0
                        for i in 0..<stride {
                            let a = i >= bpp ? row[i - bpp] : 0
                            let b = above[i]
                            let c = i >= bpp ? above[i - bpp] : 0
                            let r = row[i] &- predictor(filter, a, b, c)
                            candidate[i] = r
                            cost += r < 128 ? Int(r) : 256 - Int(r)   // residual as signed magnitude
                        }
                        if cost < bestCost {
                            bestCost = cost
                            best = filter
                            bestBytes = candidate
                        }
                    }
                }
                let base = y * (stride + 1)
                out[base] = UInt8(best)
                for i in 0..<stride { out[base + 1 + i] = bestBytes[i] }
            }
        }
        return out
    }

    /// The PNG filter predictors: none, left, up, average, Paeth.
    @inline(__always)
    static func predictor(_ filter: Int, _ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        switch filter {
        case 0: return 0
        case 1: return a
        case 2: return b
        case 3: return UInt8((Int(a) + Int(b)) / 2)
        default:
            let p = Int(a) + Int(b) - Int(c)
            let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
            if pa <= pb && pa <= pc { return a }
            return pb <= pc ? b : c
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ v: UInt32) {
        append(UInt8(v >> 24)); append(UInt8((v >> 16) & 0xFF))
        append(UInt8((v >> 8) & 0xFF)); append(UInt8(v & 0xFF))
    }

    mutating func appendLittleEndian(_ v: UInt16) {
        append(UInt8(v & 0xFF)); append(UInt8(v >> 8))
    }
}
