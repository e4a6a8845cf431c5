import ZlibCodec
import Foundation

extension PNG {
    /// Reads a PNG file into an 8-bit frame: gray and gray+alpha give 1 channel; RGB, RGBA and
    /// palette give 3. Alpha is dropped (as PIL's `convert("RGB")` does), 16-bit samples are
    /// rounded to 8 bits and 1/2/4-bit samples are stretched to 0…255; Adam7 interlacing is
    /// supported. Every chunk's CRC is checked.
    public static func read(from url: URL) throws -> Image {
        try decode(FileIO.read(url), path: url.path)
    }

    /// Decodes PNG bytes; `path` only labels errors.
    public static func decode(_ bytes: [UInt8], path: String = "<PNG data>") throws -> Image {
        func corrupt(_ reason: String) -> ImagingError { .corrupt(path: path, reason: reason) }
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else {
            throw corrupt("not a PNG file (bad signature)")
        }
        var header: Header?
        var palette = [RGB]()
        var compressed = [UInt8]()
        var offset = 8
        var sawEnd = false
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                throw corrupt("truncated: \(bytes.count - offset) stray bytes after the last chunk")
            }
            let length = Int(bytes.readBigEndian(at: offset))
            let typeBytes = Array(bytes[(offset + 4)..<(offset + 8)])
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard typeBytes.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) }) else {
                throw corrupt("invalid chunk type at byte \(offset)")
            }
            guard length <= bytes.count - offset - 12 else {
                throw corrupt("truncated: chunk \(type) at byte \(offset) needs \(length) bytes of data, "
                    + "only \(max(0, bytes.count - offset - 12)) left")
            }
            let data = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            let stored = bytes.readBigEndian(at: offset + 8 + length)
            guard stored == crc(typeBytes, data) else {
                throw corrupt("CRC mismatch in chunk \(type) at byte \(offset)")
            }
            offset += 12 + length
            if type != "IHDR" && header == nil { throw corrupt("first chunk is \(type), not IHDR") }
            switch type {
            case "IHDR":
                guard header == nil else { throw corrupt("more than one IHDR chunk") }
                header = try Header(data, path: path)
            case "PLTE":
                guard length % 3 == 0, length > 0, length <= 768 else {
                    throw corrupt("PLTE chunk of \(length) bytes is not 1…256 RGB entries")
                }
                palette = stride(from: 0, to: length, by: 3).map { RGB(data[$0], data[$0 + 1], data[$0 + 2]) }
            case "IDAT":
                compressed += data
            case "IEND":
                sawEnd = true
            default:
                // Upper-case first letter marks a chunk a decoder must understand.
                if typeBytes[0] < 97 {
                    throw ImagingError.unsupported(path: path, reason: "unknown critical chunk \(type)")
                }
            }
            if sawEnd { break }
        }
        guard let header else { throw corrupt("no IHDR chunk") }
        guard sawEnd else { throw corrupt("truncated: no IEND chunk") }
        guard !compressed.isEmpty else { throw corrupt("no IDAT chunk") }
        if header.colorType == 3 && palette.isEmpty { throw corrupt("palette image without a PLTE chunk") }

        // Deflate expands at most ~1032:1, so a header promising far more pixels than the data
        // can hold is corrupt; checking first avoids allocating gigabytes for a damaged header.
        guard header.rawSize <= compressed.count * 1032 + 64 else {
            throw corrupt("truncated: \(compressed.count) bytes of image data cannot hold a "
                + "\(header.width)×\(header.height) image")
        }
        let raw = try inflate(compressed, expected: header.rawSize, path: path)
        return try header.decodePixels(raw, palette: palette, path: path)
    }

    /// Inflates the zlib stream of the concatenated IDAT chunks, which must hold exactly `expected`
    /// bytes.
    static func inflate(_ data: [UInt8], expected: Int, path: String) throws -> [UInt8] {
        let inflated = data.withUnsafeBytes { bytes in
            Result { () throws(ZlibError) in try Zlib.inflate(bytes, format: .zlib, expectedSize: expected) }
        }
        switch inflated {
        case .success(let raw):
            return [UInt8](raw)
        case .failure(.truncated):
            throw ImagingError.corrupt(path: path, reason: "image data is truncated (the compressed stream ends early)")
        case .failure(let error):
            throw ImagingError.corrupt(path: path, reason: "image data: \(error)")
        }
    }

    /// The IHDR fields and the pixel layout they imply.
    struct Header {
        let width: Int
        let height: Int
        let bitDepth: Int
        let colorType: Int
        let interlaced: Bool

        init(_ d: [UInt8], path: String) throws {
            func corrupt(_ reason: String) -> ImagingError { .corrupt(path: path, reason: reason) }
            guard d.count == 13 else { throw corrupt("IHDR chunk has \(d.count) bytes, not 13") }
            width = Int(d.readBigEndian(at: 0))
            height = Int(d.readBigEndian(at: 4))
            bitDepth = Int(d[8])
            colorType = Int(d[9])
            guard width > 0, height > 0 else { throw corrupt("size \(width)×\(height) is empty") }
            guard width <= 1 << 16, height <= 1 << 16, width * height <= 1 << 28 else {
                throw ImagingError.unsupported(path: path, reason: "size \(width)×\(height) is too large")
            }
            let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
            guard let depths = allowed[colorType] else { throw corrupt("invalid colour type \(colorType)") }
            guard depths.contains(bitDepth) else {
                throw corrupt("bit depth \(bitDepth) is invalid for colour type \(colorType)")
            }
            guard d[10] == 0, d[11] == 0 else { throw corrupt("unknown compression or filter method") }
            guard d[12] <= 1 else { throw corrupt("unknown interlace method \(d[12])") }
            interlaced = d[12] == 1
        }

        var samplesPerPixel: Int { [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colorType]! }
        var bitsPerPixel: Int { samplesPerPixel * bitDepth }
        /// Bytes between a pixel and the one to its left, for the filters (at least 1).
        var filterStride: Int { max(1, bitsPerPixel / 8) }
        var outputChannels: Int { colorType == 0 || colorType == 4 ? 1 : 3 }

        func rowBytes(_ w: Int) -> Int { (w * bitsPerPixel + 7) / 8 }

        /// The sub-images (one, or Adam7's seven) as (x0, y0, dx, dy, width, height).
        var passes: [(Int, Int, Int, Int, Int, Int)] {
            let layout = interlaced
                ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
                : [(0, 0, 1, 1)]
            return layout.map { (x0, y0, dx, dy) in
                (x0, y0, dx, dy, (width - x0 + dx - 1) / dx, (height - y0 + dy - 1) / dy)
            }
        }

        var rawSize: Int {
            passes.reduce(0) { sum, p in p.4 == 0 || p.5 == 0 ? sum : sum + p.5 * (1 + rowBytes(p.4)) }
        }

        func decodePixels(_ raw: [UInt8], palette: [RGB], path: String) throws -> Image {
            let channels = outputChannels
            var pixels = [UInt8](repeating: 0, count: width * height * channels)
            var offset = 0
            for (x0, y0, dx, dy, pw, ph) in passes where pw > 0 && ph > 0 {
                let stride = rowBytes(pw)
                var previous = [UInt8](repeating: 0, count: stride)
                var row = [UInt8](repeating: 0, count: stride)
                for py in 0..<ph {
                    let filter = Int(raw[offset])
                    guard filter <= 4 else {
                        throw ImagingError.corrupt(path: path, reason: "invalid filter type \(filter) in row \(py)")
                    }
                    for i in 0..<stride { row[i] = raw[offset + 1 + i] }
                    PNG.unfilter(&row, previous: previous, filter: filter, bpp: filterStride)
                    offset += 1 + stride
                    for px in 0..<pw {
                        let x = x0 + px * dx, y = y0 + py * dy
                        let o = (y * width + x) * channels
                        if colorType == 3 {
                            let index = Int(sample(row, px, 0))
                            guard index < palette.count else {
                                throw ImagingError.corrupt(path: path,
                                    reason: "palette index \(index) beyond the \(palette.count)-entry PLTE")
                            }
                            let c = palette[index]
                            pixels[o] = c.r; pixels[o + 1] = c.g; pixels[o + 2] = c.b
                        } else {
                            for k in 0..<channels { pixels[o + k] = to8Bit(sample(row, px, k)) }
                        }
                    }
                    swap(&previous, &row)
                }
            }
            return Image(width: width, height: height, channels: channels, bytes: pixels)
        }

        /// Sample `k` of pixel `x` in an unfiltered row, at the file's bit depth.
        @inline(__always)
        func sample(_ row: [UInt8], _ x: Int, _ k: Int) -> Int {
            let index = x * samplesPerPixel + k
            switch bitDepth {
            case 8: return Int(row[index])
            case 16: return Int(row[2 * index]) << 8 | Int(row[2 * index + 1])
            default:
                let bit = index * bitDepth
                let shift = 8 - bitDepth - bit % 8
                return Int(row[bit / 8] >> UInt8(shift)) & ((1 << bitDepth) - 1)
            }
        }

        @inline(__always)
        func to8Bit(_ v: Int) -> UInt8 {
            switch bitDepth {
            case 8: return UInt8(v)
            case 16: return UInt8((v * 255 + 32767) / 65535)
            default: return UInt8(v * 255 / ((1 << bitDepth) - 1))
            }
        }
    }

    /// Undoes one row's filter in place, given the already unfiltered row above.
    static func unfilter(_ row: inout [UInt8], previous: [UInt8], filter: Int, bpp: Int) {
        if filter == 0 { return }
        for i in 0..<row.count {
            let a = i >= bpp ? row[i - bpp] : 0
            let c = i >= bpp ? previous[i - bpp] : 0
            row[i] = row[i] &+ predictor(filter, a, previous[i], c)
        }
    }
}

extension Array where Element == UInt8 {
    func readBigEndian(at i: Int) -> UInt32 {
        UInt32(self[i]) << 24 | UInt32(self[i + 1]) << 16 | UInt32(self[i + 2]) << 8 | UInt32(self[i + 3])
    }
}
