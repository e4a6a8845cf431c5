/// Raster drawing on frames: clipped rectangles, thick lines, filled triangles, arrows and
/// pasting. Coordinates are in pixels, x to the right and y down; anything outside is clipped.
extension Image {
    public mutating func fillRect(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
        let x0 = max(0, x), y0 = max(0, y), x1 = min(width, x + w), y1 = min(height, y + h)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 { for xx in x0..<x1 { setColor(color, x: xx, y: yy) } }
    }

    /// A one-pixel outline.
    public mutating func strokeRect(x: Int, y: Int, width w: Int, height h: Int, color: RGB) {
        fillRect(x: x, y: y, width: w, height: 1, color: color)
        fillRect(x: x, y: y + h - 1, width: w, height: 1, color: color)
        fillRect(x: x, y: y, width: 1, height: h, color: color)
        fillRect(x: x + w - 1, y: y, width: 1, height: h, color: color)
    }

    /// A straight line `thickness` pixels wide between two points (a square brush stamped along
    /// the Bresenham-like DDA path, so thick lines have no gaps at any angle).
    public mutating func drawLine(from a: (x: Double, y: Double), to b: (x: Double, y: Double),
                                  color: RGB, thickness: Int = 1) {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
        let steps = max(1, Int(max(abs(b.x - a.x), abs(b.y - a.y)).rounded(.up)))
        let before = (thickness - 1) / 2
        var lastX = Int.min, lastY = Int.min
        for s in 0...steps {
            let t = Double(s) / Double(steps)
            let x = Int((a.x + (b.x - a.x) * t).rounded()), y = Int((a.y + (b.y - a.y) * t).rounded())
            if x == lastX && y == lastY { continue }
            (lastX, lastY) = (x, y)
            if thickness <= 1 {
                setColor(color, x: x, y: y)
            } else {
                fillRect(x: x - before, y: y - before, width: thickness, height: thickness, color: color)
            }
        }
    }

    /// Fills the triangle with corners a, b, c (pixel centres inside or on an edge are painted).
    public mutating func fillTriangle(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double),
                                      _ c: (x: Double, y: Double), color: RGB) {
        let minX = max(0, Int(min(a.x, b.x, c.x).rounded(.down))), maxX = min(width - 1, Int(max(a.x, b.x, c.x).rounded(.up)))
        let minY = max(0, Int(min(a.y, b.y, c.y).rounded(.down))), maxY = min(height - 1, Int(max(a.y, b.y, c.y).rounded(.up)))
        guard minX <= maxX, minY <= maxY else { return }
        func edge(_ p: (x: Double, y: Double), _ q: (x: Double, y: Double), _ x: Double, _ y: Double) -> Double {
            (q.x - p.x) * (y - p.y) - (q.y - p.y) * (x - p.x)
        }
        let area = edge(a, b, c.x, c.y)
        guard area != 0 else { return }
        for y in minY...maxY {
            for x in minX...maxX {
                let px = Double(x), py = Double(y)
                // Same sign as the whole triangle for all three edges means inside.
                let w0 = edge(b, c, px, py) * area, w1 = edge(c, a, px, py) * area, w2 = edge(a, b, px, py) * area
                if w0 >= 0 && w1 >= 0 && w2 >= 0 { setColor(color, x: x, y: y) }
            }
        }
    }

    /// An arrow from `tail` to `tip`: a shaft and a filled head of `headLength` pixels
    /// (never more than 60 % of the arrow, so short arrows still show their direction).
    public mutating func drawArrow(from tail: (x: Double, y: Double), to tip: (x: Double, y: Double),
                                   color: RGB, thickness: Int = 1, headLength: Double = 5) {
        let dx = tip.x - tail.x, dy = tip.y - tail.y
        let length = (dx * dx + dy * dy).squareRoot()
        guard length > 0 else { setColor(color, x: Int(tail.x.rounded()), y: Int(tail.y.rounded())); return }
        // Thick shafts need a wider head to stay visible as an arrow.
        let head = min(max(headLength, 3 * Double(thickness)), 0.6 * length)
        let ux = dx / length, uy = dy / length
        let base = (x: tip.x - ux * head, y: tip.y - uy * head)
        drawLine(from: tail, to: base, color: color, thickness: thickness)
        let halfWidth = head * 0.5
        fillTriangle(tip, (base.x - uy * halfWidth, base.y + ux * halfWidth),
                     (base.x + uy * halfWidth, base.y - ux * halfWidth), color: color)
    }

    /// Copies `image` with its top-left corner at (x, y), converting its channels to ours.
    public mutating func paste(_ image: Image, x: Int, y: Int) {
        let source = image.converted(toChannels: channels)
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + image.width), y1 = min(height, y + image.height)
        guard x0 < x1, y0 < y1 else { return }
        let c = channels, w = width
        source.bytes.withUnsafeBufferPointer { src in
            withUnsafeMutableBytes { dst in
                for yy in y0..<y1 {
                    let s = ((yy - y) * source.width + (x0 - x)) * c
                    let d = (yy * w + x0) * c
                    for i in 0..<((x1 - x0) * c) { dst[d + i] = src[s + i] }
                }
            }
        }
    }

    /// Each pixel repeated `factor` times in both directions (keeps small frames crisp).
    public func upscaled(by factor: Int) -> Image {
        precondition(factor >= 1, "Image.upscaled: factor \(factor) must be at least 1")
        return factor == 1 ? self : resized(width: width * factor, height: height * factor, method: .nearest)
    }
}
