/// An 8-bit colour value. Drawing on a grayscale image uses its luma.
public struct RGB: Equatable, Hashable, Sendable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    public static func gray(_ v: UInt8) -> RGB { RGB(v, v, v) }
    public static let black = RGB(0, 0, 0)
    public static let white = RGB(255, 255, 255)
    public static let red = RGB(220, 30, 30)
    public static let green = RGB(30, 170, 50)
    public static let blue = RGB(30, 90, 220)
    public static let orange = RGB(240, 140, 20)
    public static let yellow = RGB(250, 220, 20)

    /// ITU-R BT.601 luma, the weights ffmpeg and most tools use for gray conversion.
    public var luma: UInt8 {
        let sum: Int = 299 &* Int(r) &+ 587 &* Int(g) &+ 114 &* Int(b) &+ 500
        return UInt8(sum / 1000)
    }
}

/// A frame of 8-bit pixels: `channels` is 1 (gray) or 3 (RGB), stored row-major and interleaved
/// (`bytes[(y * width + x) * channels + c]`). A plain value, cheap to copy until written.
public struct Image: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// Row-major interleaved pixels; its count is always `width * height * channels`.
    public private(set) var bytes: [UInt8]

    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        precondition(width >= 0 && height >= 0, "Image: negative size \(width)×\(height)")
        precondition(channels == 1 || channels == 3, "Image: channels must be 1 or 3, got \(channels)")
        precondition(bytes.count == width * height * channels,
                     "Image: \(bytes.count) bytes do not fill \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.bytes = bytes
    }

    /// A uniform image (gray images take the colour's luma).
    public init(width: Int, height: Int, channels: Int, fill: RGB = .black) {
        precondition(channels == 1 || channels == 3, "Image: channels must be 1 or 3, got \(channels)")
        let pixel: [UInt8] = channels == 1 ? [fill.luma] : [fill.r, fill.g, fill.b]
        var bytes = [UInt8](repeating: 0, count: width * height * channels)
        if channels == 1 {
            for i in bytes.indices { bytes[i] = pixel[0] }
        } else {
            var i = 0
            while i < bytes.count {
                bytes[i] = pixel[0]; bytes[i + 1] = pixel[1]; bytes[i + 2] = pixel[2]
                i += 3
            }
        }
        self.init(width: width, height: height, channels: channels, bytes: bytes)
    }

    public var isGray: Bool { channels == 1 }
    public var pixelCount: Int { width * height }

    /// The sample of channel `c` at column `x`, row `y`.
    public subscript(y: Int, x: Int, c: Int) -> UInt8 {
        get { bytes[(y * width + x) * channels + c] }
        set { bytes[(y * width + x) * channels + c] = newValue }
    }

    /// The pixel at (x, y) as a colour (gray expands to equal components).
    public func color(x: Int, y: Int) -> RGB {
        let i = (y * width + x) * channels
        return channels == 1 ? .gray(bytes[i]) : RGB(bytes[i], bytes[i + 1], bytes[i + 2])
    }

    /// Sets the pixel at (x, y); ignores points outside the image so drawing code can clip freely.
    public mutating func setColor(_ color: RGB, x: Int, y: Int) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = (y * width + x) * channels
        if channels == 1 {
            bytes[i] = color.luma
        } else {
            bytes[i] = color.r; bytes[i + 1] = color.g; bytes[i + 2] = color.b
        }
    }

    /// Direct write access to the pixel buffer, for loops that would be slow through subscripts.
    public mutating func withUnsafeMutableBytes<R>(
        _ body: (UnsafeMutableBufferPointer<UInt8>) throws -> R
    ) rethrows -> R {
        try bytes.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// The same picture with three channels.
    public func rgb() -> Image {
        if channels == 3 { return self }
        var out = [UInt8](repeating: 0, count: pixelCount * 3)
        for i in 0..<pixelCount {
            let v = bytes[i]
            out[3 * i] = v; out[3 * i + 1] = v; out[3 * i + 2] = v
        }
        return Image(width: width, height: height, channels: 3, bytes: out)
    }

    /// The same picture as BT.601 luma.
    public func gray() -> Image {
        if channels == 1 { return self }
        var out = [UInt8](repeating: 0, count: pixelCount)
        for i in 0..<pixelCount {
            out[i] = RGB(bytes[3 * i], bytes[3 * i + 1], bytes[3 * i + 2]).luma
        }
        return Image(width: width, height: height, channels: 1, bytes: out)
    }

    /// Converts to `channels` (1 or 3).
    public func converted(toChannels target: Int) -> Image {
        precondition(target == 1 || target == 3, "Image.converted: channels must be 1 or 3, got \(target)")
        return target == 1 ? gray() : rgb()
    }
}

extension Image: CustomStringConvertible {
    public var description: String { "Image(\(width)×\(height)×\(channels))" }
}
