import Foundation

/// Animated GIF (GIF89a) encoding: one global 256-colour table, LZW-compressed frames, a frame
/// delay and the NETSCAPE2.0 loop extension.
public enum GIF {
    public enum Palette: Sendable {
        /// Gray ramp when every frame is gray, median cut otherwise.
        case automatic
        /// 256 gray levels (colour frames are converted to luma).
        case grayRamp
        /// The fixed 6×7×6 colour cube.
        case colorCube
        /// A median-cut palette fitted to all frames.
        case medianCut
    }

    /// The GIF file of `frames` (all of one size). `delayCentiseconds` is the time each frame is
    /// shown (browsers raise values below 2 to about 10); `loopCount` 0 loops forever; `scale`
    /// enlarges every frame by pixel repetition (small frames are hard to see otherwise).
    public static func encode(_ frames: [Image], delayCentiseconds: Int = 20, loopCount: Int = 0,
                              palette: Palette = .automatic, scale: Int = 1) -> [UInt8] {
        precondition(!frames.isEmpty, "GIF.encode: no frames")
        precondition(scale >= 1, "GIF.encode: scale \(scale) must be at least 1")
        let first = frames[0]
        for (i, f) in frames.enumerated() {
            precondition(f.width == first.width && f.height == first.height,
                         "GIF.encode: frame \(i) is \(f.width)×\(f.height), frame 0 is \(first.width)×\(first.height)")
        }
        let width = first.width * scale, height = first.height * scale
        precondition(width > 0 && height > 0 && width <= 65535 && height <= 65535,
                     "GIF.encode: size \(width)×\(height) does not fit a GIF")
        var choice = palette
        if choice == .automatic { choice = frames.allSatisfy(\.isGray) ? .grayRamp : .medianCut }
        let scaled = frames.map { scale == 1 ? $0 : $0.resized(width: width, height: height, method: .nearest) }
        let table: GIFPalette
        switch choice {
        case .grayRamp: table = .grayRamp
        case .colorCube: table = .colorCube
        default: table = .medianCut(scaled.map { $0.rgb() })
        }

        var out = Array("GIF89a".utf8)
        out.appendLittleEndian(UInt16(width))
        out.appendLittleEndian(UInt16(height))
        out += [0xF7, 0, 0]   // global table of 2^(7+1) entries, 8-bit colour resolution; background 0; square pixels
        for i in 0..<256 {
            let c = i < table.colors.count ? table.colors[i] : .black
            out += [c.r, c.g, c.b]
        }
        out += [0x21, 0xFF, 0x0B] + Array("NETSCAPE2.0".utf8) + [0x03, 0x01]
        out.appendLittleEndian(UInt16(clamping: loopCount))
        out.append(0)
        for frame in scaled {
            // Graphic control: no disposal, no transparency, the frame delay.
            out += [0x21, 0xF9, 0x04, 0x04]
            out.appendLittleEndian(UInt16(clamping: delayCentiseconds))
            out += [0, 0]
            out.append(0x2C)
            out.appendLittleEndian(0); out.appendLittleEndian(0)
            out.appendLittleEndian(UInt16(width)); out.appendLittleEndian(UInt16(height))
            out.append(0)   // no local table, not interlaced
            out.append(8)   // LZW minimum code size
            let indices = indexPixels(frame, choice == .grayRamp, table)
            let compressed = LZW.encode(indices)
            var i = 0
            while i < compressed.count {   // data sub-blocks of at most 255 bytes
                let n = min(255, compressed.count - i)
                out.append(UInt8(n))
                out += compressed[i..<(i + n)]
                i += n
            }
            out.append(0)
        }
        out.append(0x3B)
        return out
    }

    public static func write(_ frames: [Image], to url: URL, delayCentiseconds: Int = 20,
                             loopCount: Int = 0, palette: Palette = .automatic, scale: Int = 1) throws {
        try FileIO.write(encode(frames, delayCentiseconds: delayCentiseconds, loopCount: loopCount,
                                palette: palette, scale: scale), to: url)
    }

    static func indexPixels(_ frame: Image, _ gray: Bool, _ table: GIFPalette) -> [UInt8] {
        if gray { return frame.gray().bytes }
        let rgb = frame.rgb().bytes
        var out = [UInt8](repeating: 0, count: frame.pixelCount)
        for i in 0..<frame.pixelCount { out[i] = table.index(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]) }
        return out
    }
}

/// GIF's variable-width LZW for 8-bit indices (codes 9…12 bits, least significant bit first).
enum LZW {
    static func encode(_ data: [UInt8]) -> [UInt8] {
        let clear = 256, end = 257
        var out = [UInt8]()
        out.reserveCapacity(data.count / 2 + 16)
        var buffer = 0, bits = 0
        var codeSize = 9
        func emit(_ code: Int) {
            buffer |= code << bits
            bits += codeSize
            while bits >= 8 {
                out.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                bits -= 8
            }
        }
        // (prefix code, next byte) → code of the extended string.
        var table = [Int: Int](minimumCapacity: 4096)
        var nextCode = end + 1
        emit(clear)
        guard var prefix = data.first.map(Int.init) else {
            emit(end)
            if bits > 0 { out.append(UInt8(buffer & 0xFF)) }
            return out
        }
        for byte in data.dropFirst() {
            let key = prefix << 8 | Int(byte)
            if let code = table[key] {
                prefix = code
                continue
            }
            emit(prefix)
            table[key] = nextCode
            nextCode += 1
            // The decoder, one entry behind, widens codes once it has filled this width.
            if nextCode > (1 << codeSize) && codeSize < 12 { codeSize += 1 }
            if nextCode == 4096 {
                emit(clear)
                table.removeAll(keepingCapacity: true)
                nextCode = end + 1
                codeSize = 9
            }
            prefix = Int(byte)
        }
        emit(prefix)
        emit(end)
        if bits > 0 { out.append(UInt8(buffer & 0xFF)) }
        return out
    }
}
