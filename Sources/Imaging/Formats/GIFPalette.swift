/// A GIF colour table (at most 256 entries) and the mapping of pixels onto it.
struct GIFPalette {
    var colors: [RGB]
    /// Index of a pixel's colour in `colors`.
    let index: (UInt8, UInt8, UInt8) -> UInt8

    /// The 256 gray levels: a gray pixel's value is its own index, so nothing is lost.
    static var grayRamp: GIFPalette {
        GIFPalette(colors: (0...255).map { RGB.gray(UInt8($0)) }, index: { r, _, _ in r })
    }

    /// A fixed 6×7×6 cube (252 colours; green gets the extra level because the eye resolves it
    /// best). Fast and frame-independent, but bands smooth gradients.
    static var colorCube: GIFPalette {
        var colors = [RGB]()
        for r in 0..<6 { for g in 0..<7 { for b in 0..<6 {
            colors.append(RGB(UInt8(r * 255 / 5), UInt8(g * 255 / 6), UInt8(b * 255 / 5)))
        } } }
        return GIFPalette(colors: colors) { r, g, b in
            let ri = (Int(r) * 5 + 127) / 255, gi = (Int(g) * 6 + 127) / 255, bi = (Int(b) * 5 + 127) / 255
            return UInt8(ri * 42 + gi * 6 + bi)
        }
    }

    /// Median cut over all frames' pixels: colours are binned to 5 bits per channel, the box with
    /// the widest channel range is split at its pixel-weighted median until there are 256 boxes,
    /// and each box contributes the mean of its pixels. Adapts to the picture, unlike the cube.
    static func medianCut(_ frames: [Image]) -> GIFPalette {
        var count = [Int](repeating: 0, count: 32768)
        var sums = [Int](repeating: 0, count: 32768 * 3)
        for frame in frames {
            frame.bytes.withUnsafeBufferPointer { p in
                var i = 0
                while i < p.count {
                    let key = GIFPalette.key(p[i], p[i + 1], p[i + 2])
                    count[key] += 1
                    sums[3 * key] += Int(p[i]); sums[3 * key + 1] += Int(p[i + 1]); sums[3 * key + 2] += Int(p[i + 2])
                    i += 3
                }
            }
        }
        // Each bin's mean colour stands for its pixels from here on.
        var bins = [(key: Int, color: (Int, Int, Int), n: Int)]()
        for key in 0..<32768 where count[key] > 0 {
            let n = count[key]
            bins.append((key, ((sums[3 * key] + n / 2) / n, (sums[3 * key + 1] + n / 2) / n,
                               (sums[3 * key + 2] + n / 2) / n), n))
        }
        func channel(_ c: (Int, Int, Int), _ k: Int) -> Int { k == 0 ? c.0 : (k == 1 ? c.1 : c.2) }
        func widest(_ box: ArraySlice<(key: Int, color: (Int, Int, Int), n: Int)>) -> (Int, Int) {
            var best = (0, -1)
            for k in 0..<3 {
                let values = box.map { channel($0.color, k) }
                let range = values.max()! - values.min()!
                if range > best.1 { best = (k, range) }
            }
            return best
        }
        var boxes: [ArraySlice<(key: Int, color: (Int, Int, Int), n: Int)>] = bins.isEmpty ? [] : [bins[...]]
        while boxes.count < 256 {
            // Split the box whose widest channel range, weighted by its pixel share, is largest.
            var pick = -1, pickScore = 0, pickChannel = 0
            for (i, box) in boxes.enumerated() where box.count > 1 {
                let (k, range) = widest(box)
                let score = range * Int(Double(box.reduce(0) { $0 + $1.n }).squareRoot() + 1)
                if score > pickScore { (pick, pickScore, pickChannel) = (i, score, k) }
            }
            if pick < 0 { break }
            let sorted = boxes[pick].sorted { channel($0.color, pickChannel) < channel($1.color, pickChannel) }
            let total = sorted.reduce(0) { $0 + $1.n }
            var running = 0, cut = 1
            for (i, bin) in sorted.enumerated() {
                running += bin.n
                if running * 2 >= total { cut = max(1, min(i + 1, sorted.count - 1)); break }
            }
            boxes[pick] = sorted[0..<cut]
            boxes.append(sorted[cut...])
        }
        var colors = boxes.map { box -> RGB in
            let n = box.reduce(0) { $0 + $1.n }
            let r = box.reduce(0) { $0 + $1.color.0 * $1.n }, g = box.reduce(0) { $0 + $1.color.1 * $1.n }
            let b = box.reduce(0) { $0 + $1.color.2 * $1.n }
            return RGB(UInt8((r + n / 2) / n), UInt8((g + n / 2) / n), UInt8((b + n / 2) / n))
        }
        if colors.isEmpty { colors = [.black] }
        // Nearest palette entry for every occupied bin (pixels of a bin share one index).
        var lookup = [UInt8](repeating: 0, count: 32768)
        for bin in bins {
            var best = 0, bestDistance = Int.max
            for (i, c) in colors.enumerated() {
                let dr = Int(c.r) - bin.color.0, dg = Int(c.g) - bin.color.1, db = Int(c.b) - bin.color.2
                let d = 2 * dr * dr + 4 * dg * dg + 3 * db * db
                if d < bestDistance { (best, bestDistance) = (i, d) }
            }
            lookup[bin.key] = UInt8(best)
        }
        return GIFPalette(colors: colors) { r, g, b in lookup[GIFPalette.key(r, g, b)] }
    }

    @inline(__always)
    static func key(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        Int(r >> 3) << 10 | Int(g >> 3) << 5 | Int(b >> 3)
    }
}
