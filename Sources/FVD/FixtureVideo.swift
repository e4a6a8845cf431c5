import Engine

/// The `i3d_fvd` fixture's synthetic uint8 video (its sidecar's `video224_formula`): a triangle
/// wave, a moving inverted square and hashed noise, in 64-bit integers. The fixture stores 16
/// frames; the 20-frame case regenerates frames 16…19 from this.
public enum FixtureVideo {
    /// [videos, frames, height, width, 3] with values 0…253 (as floats).
    public static func make(videos: Int, frames: Int, height: Int, width: Int) -> Tensor {
        Tensor(shape: [videos, frames, height, width, 3]) { out in
            var index = 0
            for b in 0..<videos { for t in 0..<frames {
                let sy = (5 + 7 * t + 50 * b) % (height - height / 4), sx = (11 + 5 * t + 30 * b) % (width - width / 4)
                for y in 0..<height { for x in 0..<width { for c in 0..<3 {
                    let k = (3 + c) * x + (2 + b + c) * y + (6 + 2 * b) * t + 80 * c
                    let tri = 255 - abs(k % 510 - 255)
                    let inside = y >= sy && y < sy + height / 4 && x >= sx && x < sx + width / 4
                    let base = inside ? 255 - tri : tri
                    let seed = UInt64(1_000_003 * b + 10_007 * t + 1009 * y + 101 * x + 13 * c)
                    let noise = Int(((seed &* 2_654_435_761) & 0xFFFF_FFFF) >> 28)
                    out[index] = Float((7 * base) / 8 + 2 * noise)
                    index += 1
                } } }
            } }
        }
    }
}
