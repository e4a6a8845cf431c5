/// How `Image.resized` samples the source.
public enum ResizeMethod: Sendable {
    /// The source pixel whose centre is nearest (keeps hard edges; exact for integer upscales).
    case nearest
    /// Linear in x and y between the four nearest pixel centres (half-pixel aligned, like
    /// OpenCV/ffmpeg `align_corners = false`).
    case bilinear
}

extension Image {
    public func resized(width newWidth: Int, height newHeight: Int,
                        method: ResizeMethod = .bilinear) -> Image {
        precondition(newWidth > 0 && newHeight > 0, "Image.resized: target \(newWidth)×\(newHeight) must be positive")
        precondition(width > 0 && height > 0, "Image.resized: source \(self) is empty")
        if newWidth == width && newHeight == height { return self }
        let c = channels
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * c)
        let sx = Double(width) / Double(newWidth)
        let sy = Double(height) / Double(newHeight)
        bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                switch method {
                case .nearest:
                    let xs = (0..<newWidth).map { min(Int((Double($0) + 0.5) * sx), width - 1) }
                    for y in 0..<newHeight {
                        let yy = min(Int((Double(y) + 0.5) * sy), height - 1)
                        for x in 0..<newWidth {
                            let s = (yy * width + xs[x]) * c
                            let d = (y * newWidth + x) * c
                            for k in 0..<c { dst[d + k] = src[s + k] }
                        }
                    }
                case .bilinear:
                    // Precompute the two source columns and weight of every target column.
                    let cols = (0..<newWidth).map { Image.taps(Double($0), scale: sx, size: width) }
                    for y in 0..<newHeight {
                        let (y0, y1, fy) = Image.taps(Double(y), scale: sy, size: height)
                        for x in 0..<newWidth {
                            let (x0, x1, fx) = cols[x]
                            let d = (y * newWidth + x) * c
                            for k in 0..<c {
                                let a = Double(src[(y0 * width + x0) * c + k])
                                let b = Double(src[(y0 * width + x1) * c + k])
                                let e = Double(src[(y1 * width + x0) * c + k])
                                let f = Double(src[(y1 * width + x1) * c + k])
                                let top = a + (b - a) * fx
                                let bottom = e + (f - e) * fx
                                dst[d + k] = UInt8(min(255, max(0, top + (bottom - top) * fy + 0.5)))
                            }
                        }
                    }
                }
            }
        }
        return Image(width: newWidth, height: newHeight, channels: c, bytes: out)
    }

    /// The two source indices and the weight of the second for target index `i`.
    static func taps(_ i: Double, scale: Double, size: Int) -> (Int, Int, Double) {
        let s = min(max((i + 0.5) * scale - 0.5, 0), Double(size - 1))
        let i0 = Int(s)
        return (i0, min(i0 + 1, size - 1), s - Double(i0))
    }

    /// The `width`×`height` rectangle whose top-left corner is (x, y); it must lie inside.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> Image {
        precondition(x >= 0 && y >= 0 && w >= 0 && h >= 0 && x + w <= width && y + h <= height,
                     "Image.cropped: rectangle (\(x), \(y)) \(w)×\(h) is outside \(self)")
        var out = [UInt8]()
        out.reserveCapacity(w * h * channels)
        for row in y..<(y + h) {
            let start = (row * width + x) * channels
            out.append(contentsOf: bytes[start..<(start + w * channels)])
        }
        return Image(width: w, height: h, channels: channels, bytes: out)
    }

    /// The centred `width`×`height` rectangle (when the margin is odd, the extra pixel is cut
    /// from the right/bottom).
    public func centerCropped(width w: Int, height h: Int) -> Image {
        precondition(w <= width && h <= height, "Image.centerCropped: \(w)×\(h) is larger than \(self)")
        return cropped(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)
    }

    /// The largest centred square.
    public func centerCroppedSquare() -> Image {
        let side = min(width, height)
        return centerCropped(width: side, height: side)
    }
}
