import Engine

/// How a tensor frame orders its axes: the data pipeline uses `[H, W, C]` frames (sequences are
/// `[B, T, H, W, C]`, SPEC §1); model states and motion fields are channels-first `[C, H, W]`.
public enum FrameLayout: Sendable {
    case hwc
    case chw
}

extension Image {
    /// Quantises a frame with values in [0, 1] (clipped; NaN becomes 0) to 8 bits.
    /// Accepts `[H, W]` (gray), `[H, W, C]` (`.hwc`) or `[C, H, W]` (`.chw`) with C = 1 or 3.
    public init(tensor: Tensor, layout: FrameLayout = .hwc) {
        let s = tensor.shape
        let (h, w, c): (Int, Int, Int)
        switch (s.count, layout) {
        case (2, _): (h, w, c) = (s[0], s[1], 1)
        case (3, .hwc): (h, w, c) = (s[0], s[1], s[2])
        case (3, .chw): (h, w, c) = (s[1], s[2], s[0])
        default:
            preconditionFailure("Image(tensor:): expected a [H, W], [H, W, C] or [C, H, W] frame, got \(s)")
        }
        precondition(c == 1 || c == 3, "Image(tensor:): frame \(s) must have 1 or 3 channels")
        var bytes = [UInt8](repeating: 0, count: h * w * c)
        let p = tensor.pointer
        let plane = h * w
        for i in 0..<plane {
            for k in 0..<c {
                let v = (layout == .chw && s.count == 3) ? p[k * plane + i] : p[i * c + k]
                bytes[i * c + k] = Image.quantize(v)
            }
        }
        self.init(width: w, height: h, channels: c, bytes: bytes)
    }

    /// [0, 1] → 0…255 with rounding; out-of-range values clip and NaN maps to 0.
    @inline(__always)
    static func quantize(_ v: Float) -> UInt8 {
        guard v > 0 else { return 0 }          // also catches NaN
        guard v < 1 else { return 255 }
        return UInt8(v * 255 + 0.5)
    }

    /// The frame as values in [0, 1], shape `[H, W, C]` or `[C, H, W]`.
    public func tensor(layout: FrameLayout = .hwc) -> Tensor {
        let shape = layout == .hwc ? [height, width, channels] : [channels, height, width]
        let plane = pixelCount
        let scale: Float = 1 / 255
        return Tensor(shape: shape) { p in
            for i in 0..<plane {
                for k in 0..<channels {
                    let v = Float(bytes[i * channels + k]) * scale
                    if layout == .hwc { p[i * channels + k] = v } else { p[k * plane + i] = v }
                }
            }
        }
    }

    /// Splits a `[T, H, W, C]` sequence into frames.
    public static func frames(sequence: Tensor) -> [Image] {
        Shape.check("Image.frames(sequence:)", sequence.shape, rank: 4, "sequence [T, H, W, C]")
        let t = sequence.shape[0]
        let frameShape = Array(sequence.shape.dropFirst())
        let frameCount = frameShape.reduce(1, *)
        return (0..<t).map { i in
            Image(tensor: Tensor(shape: frameShape) {
                $0.baseAddress!.update(from: sequence.pointer + i * frameCount, count: frameCount)
            })
        }
    }
}

extension Tensor {
    /// Stacks equally sized frames into a `[T, H, W, C]` sequence in [0, 1].
    public init(frames: [Image]) {
        precondition(!frames.isEmpty, "Tensor(frames:): no frames")
        let f = frames[0]
        for (i, g) in frames.enumerated() {
            precondition(g.width == f.width && g.height == f.height && g.channels == f.channels,
                         "Tensor(frames:): frame \(i) is \(g), frame 0 is \(f)")
        }
        let frameCount = f.pixelCount * f.channels
        let scale: Float = 1 / 255
        self.init(shape: [frames.count, f.height, f.width, f.channels]) { p in
            for (t, g) in frames.enumerated() {
                g.bytes.withUnsafeBufferPointer { src in
                    let dst = p.baseAddress! + t * frameCount
                    for i in 0..<frameCount { dst[i] = Float(src[i]) * scale }
                }
            }
        }
    }
}
