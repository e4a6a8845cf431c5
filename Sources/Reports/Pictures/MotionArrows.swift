import Imaging
import Engine
import Foundation

/// Motion drawn as arrows over a frame (paper Fig. 9): one arrow per cell of a displacement field
/// that usually has lower resolution than the frame (MotionGRU works at half resolution).
public enum MotionArrows {
    public struct Style: Sendable {
        /// Pixel repetition of the frame before drawing, so arrows have room.
        public var scale: Int
        /// Draw every `step`-th cell in each direction (dense fields become unreadable).
        public var step: Int
        /// Multiplies displacements (after conversion to output pixels); nil chooses it so the
        /// arrow at `referenceQuantile` of the lengths spans 90 % of the spacing between drawn
        /// arrows, and longer ones are cut at the spacing (a few huge offsets, such as a
        /// MotionGRU's where it samples only padding, would otherwise shrink the rest to dots).
        public var gain: Double?
        public var referenceQuantile: Double
        public var color: RGB
        public var thickness: Int
        public var headLength: Double
        /// Arrows shorter than this (output pixels) are drawn as a dot, so "no motion" is visible.
        public var minimumLength: Double

        public init(scale: Int = 4, step: Int = 1, gain: Double? = nil, referenceQuantile: Double = 0.9,
                    color: RGB = .red, thickness: Int = 1, headLength: Double = 4, minimumLength: Double = 1.5) {
            precondition(scale >= 1 && step >= 1 && thickness >= 1, "MotionArrows.Style: invalid sizes")
            precondition((0...1).contains(referenceQuantile), "MotionArrows.Style: referenceQuantile outside [0, 1]")
            self.scale = scale
            self.step = step
            self.gain = gain
            self.referenceQuantile = referenceQuantile
            self.color = color
            self.thickness = thickness
            self.headLength = headLength
            self.minimumLength = minimumLength
        }
    }

    /// Draws `displacement` — shape `[2, h, w]` (channel 0 = dy, channel 1 = dx, in the field's own
    /// pixel units, y down) — over `frame`, enlarged by `style.scale`. Cell (i, j) anchors its arrow
    /// at the centre of the frame region it covers; displacements are scaled by frame/field size.
    public static func render(frame: Image, displacement: Tensor, style: Style = Style()) -> Image {
        let field = displacement.rank == 4 && displacement.shape[0] == 1
            ? displacement.reshaped(Array(displacement.shape.dropFirst())) : displacement
        Shape.check("MotionArrows.render", field.shape, rank: 3, "displacement [2, h, w]")
        precondition(field.shape[0] == 2, "MotionArrows.render: displacement \(field.shape) must have 2 channels (dy, dx)")
        let h = field.shape[1], w = field.shape[2]
        precondition(h > 0 && w > 0, "MotionArrows.render: empty displacement field \(field.shape)")
        var canvas = frame.upscaled(by: style.scale).rgb()
        let cellY = Double(canvas.height) / Double(h), cellX = Double(canvas.width) / Double(w)
        let p = field.pointer
        let plane = h * w
        // Field units → output pixels.
        func vector(_ i: Int, _ j: Int) -> (Double, Double) {
            let dy = Double(p[i * w + j]), dx = Double(p[plane + i * w + j])
            return (dy.isFinite ? dy * cellY : 0, dx.isFinite ? dx * cellX : 0)
        }
        let cells = stride(from: style.step / 2, to: h, by: style.step).flatMap { i in
            stride(from: style.step / 2, to: w, by: style.step).map { j in (i, j) }
        }
        let spacing = Double(style.step) * min(cellX, cellY)
        let gain = style.gain ?? {
            let lengths = cells.map { let v = vector($0.0, $0.1); return (v.0 * v.0 + v.1 * v.1).squareRoot() }
            let reference = quantile(lengths.sorted(), style.referenceQuantile)
            return reference > 0 ? 0.9 * spacing / reference : 1
        }()
        for (i, j) in cells {
            var (vy, vx) = vector(i, j)
            let tail = (x: (Double(j) + 0.5) * cellX - 0.5, y: (Double(i) + 0.5) * cellY - 0.5)
            let unscaled = (vx * vx + vy * vy).squareRoot()
            if style.gain == nil && unscaled * gain > spacing {
                (vy, vx) = (vy * spacing / (unscaled * gain), vx * spacing / (unscaled * gain))
            }
            let tip = (x: tail.x + vx * gain, y: tail.y + vy * gain)
            let length = ((vx * vx + vy * vy).squareRoot()) * gain
            if length < style.minimumLength {
                canvas.fillRect(x: Int(tail.x.rounded()), y: Int(tail.y.rounded()), width: style.thickness,
                                height: style.thickness, color: style.color)
            } else {
                canvas.drawArrow(from: tail, to: tip, color: style.color, thickness: style.thickness,
                                 headLength: style.headLength)
            }
        }
        return canvas
    }

    /// The lengths of the displacements of `displacement` (`[2, h, w]`, field units) in pixels
    /// of a `frameHeight`×`frameWidth` frame, sorted: the arrows are scaled to fit, so these say
    /// how far they really reach.
    public static func shiftLengths(of displacement: Tensor, frameHeight: Int, frameWidth: Int) -> [Double] {
        Shape.check("MotionArrows.shiftLengths", displacement.shape, rank: 3, "displacement [2, h, w]")
        let plane = displacement.shape[1] * displacement.shape[2]
        let cellY = Double(frameHeight) / Double(displacement.shape[1])
        let cellX = Double(frameWidth) / Double(displacement.shape[2])
        let p = displacement.pointer
        return (0..<plane).map { i in
            let dy = Double(p[i]) * cellY, dx = Double(p[plane + i]) * cellX
            return (dy * dy + dx * dx).squareRoot()
        }.sorted()
    }

    /// The value at fraction `q` of `sorted` (nearest rank; 0 when empty).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((q * Double(sorted.count - 1)).rounded()))]
    }

    /// The mean displacement (dy, dx) of a MotionGRU trend or filter `D`: `[2k², h, w]` or
    /// `[1, 2k², h, w]`, channels 0…k²-1 row offsets and k²…2k²-1 column offsets (SPEC §4).
    /// Returns `[2, h, w]`, ready for `render`.
    public static func meanDisplacement(trend: Tensor) -> Tensor {
        let t = trend.rank == 4 && trend.shape[0] == 1 ? trend.reshaped(Array(trend.shape.dropFirst())) : trend
        Shape.check("MotionArrows.meanDisplacement", t.shape, rank: 3, "trend [2k², h, w]")
        let channels = t.shape[0]
        precondition(channels >= 2 && channels % 2 == 0,
                     "MotionArrows.meanDisplacement: trend \(trend.shape) needs an even channel count")
        let half = channels / 2, plane = t.shape[1] * t.shape[2]
        var out = Tensor(zeros: [2, t.shape[1], t.shape[2]])
        out.withUnsafeMutableBufferPointer { values in
            let src = t.pointer, dst = values.baseAddress!
            for part in 0..<2 {
                for c in 0..<half {
                    let s = src + (part * half + c) * plane, d = dst + part * plane
                    for i in 0..<plane { d[i] += s[i] }
                }
                let d = dst + part * plane
                for i in 0..<plane { d[i] /= Float(half) }
            }
        }
        return out
    }
}
