import Engine

/// A video → I3D's input (SPEC §11 steps 1–2, §11.4): values on the 0…255 scale, every frame
/// resized to 224×224 with TensorFlow 1's `resize_bilinear` (no half-pixel centres, no
/// antialiasing), then 2·v/255 − 1; grey frames repeated to RGB.
public enum ClipPreprocessing {
    /// Frames [T, H, W, C] in [0, 1] (C = 1 or 3) → [1, 3, T, 224, 224]: v = 255·clip(x, 0, 1),
    /// not rounded.
    public static func clip(fromUnitFrames frames: Tensor) -> Tensor {
        let scaled = Tensor(shape: frames.shape) { scaled in
            for i in 0..<frames.count { scaled[i] = 255 * min(max(frames.pointer[i], 0), 1) }
        }
        return clip(from255: scaled)
    }

    /// Frames [T, H, W, C] already on the 0…255 scale (C = 1 or 3) → [1, 3, T, 224, 224].
    public static func clip(from255 frames: Tensor) -> Tensor {
        precondition(frames.rank == 4 && (frames.shape[3] == 1 || frames.shape[3] == 3),
                     "ClipPreprocessing: frames \(frames.shape) are not [T, H, W, 1 or 3]")
        let (count, height, width, channels) = (frames.shape[0], frames.shape[1], frames.shape[2], frames.shape[3])
        let size = I3D.frameSize
        let rows = samples(height), columns = samples(width)
        return Tensor(shape: [1, 3, count, size, size]) { out in
            let source = frames.pointer, target = out.baseAddress!
            for t in 0..<count {
                for c in 0..<3 {
                    let channel = channels == 1 ? 0 : c
                    let plane = target + (c * count + t) * size * size
                    func value(_ y: Int, _ x: Int) -> Float { source[((t * height + y) * width + x) * channels + channel] }
                    for i in 0..<size {
                        let (yLow, yHigh, yWeight) = rows[i]
                        for j in 0..<size {
                            let (xLow, xHigh, xWeight) = columns[j]
                            // The order of TF1's kernel: across each row first, then between the rows.
                            let top = value(yLow, xLow) + (value(yLow, xHigh) - value(yLow, xLow)) * xWeight
                            let bottom = value(yHigh, xLow) + (value(yHigh, xHigh) - value(yHigh, xLow)) * xWeight
                            let resized = top + (bottom - top) * yWeight
                            plane[i * size + j] = (2 * resized) / 255 - 1
                        }
                    }
                }
            }
        }
    }

    /// For each output index along an axis of input size n: the two source cells and the weight
    /// of the second, src = i·(n / 224) in float32 (align_corners = false, no half-pixel offset).
    static func samples(_ n: Int) -> [(low: Int, high: Int, weight: Float)] {
        let scale = Float(n) / Float(I3D.frameSize)
        return (0..<I3D.frameSize).map { i in
            let source = Float(i) * scale
            let low = source.rounded(.down)
            return (Int(low), min(Int(source.rounded(.up)), n - 1), source - low)
        }
    }
}
