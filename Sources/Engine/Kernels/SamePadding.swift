/// TensorFlow's "SAME" padding (I3D's convolutions and pools) and the asymmetric constant
/// padding it can need, on raw [B, C, D, H, W] tensors. Inference only: no gradients.
package enum SamePadding {
    /// Cells added before and after one dimension of size `size` so that a window `kernel` with
    /// `stride` gives ceil(size / stride) outputs; an odd total puts the extra cell at the end.
    package static func amounts(size: Int, kernel: Int, stride: Int) -> (before: Int, after: Int) {
        precondition(size > 0 && kernel > 0 && stride > 0,
                     "SamePadding: size \(size), kernel \(kernel), stride \(stride) must be positive")
        let outputs = (size + stride - 1) / stride
        let total = max((outputs - 1) * stride + kernel - size, 0)
        return (total / 2, total - total / 2)
    }

    /// The (before, after) amounts of the three dimensions of a [B, C, D, H, W] tensor.
    package static func amounts(shape: [Int], kernel: (Int, Int, Int), stride: (Int, Int, Int))
        -> [(before: Int, after: Int)] {
        precondition(shape.count == 5, "SamePadding: shape \(shape) is not [B, C, D, H, W]")
        return [amounts(size: shape[2], kernel: kernel.0, stride: stride.0),
                amounts(size: shape[3], kernel: kernel.1, stride: stride.1),
                amounts(size: shape[4], kernel: kernel.2, stride: stride.2)]
    }

    /// x [B, C, D, H, W] with `pads[i]` cells of `value` added before/after dimension 2 + i.
    package static func pad(_ x: Tensor, _ pads: [(before: Int, after: Int)], value: Float) -> Tensor {
        precondition(x.rank == 5 && pads.count == 3 && pads.allSatisfy { $0.before >= 0 && $0.after >= 0 },
                     "SamePadding.pad: input \(x.shape) needs three non-negative (before, after) pairs")
        let (depth, height, width) = (x.shape[2], x.shape[3], x.shape[4])
        let out = [depth, height, width].enumerated().map { $1 + pads[$0].before + pads[$0].after }
        let result = Tensor(uninitializedShape: [x.shape[0], x.shape[1]] + out)
        let (inPlane, outPlane) = (depth * height * width, out[0] * out[1] * out[2])
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let source = x.pointer, target = result.mutablePointer
        Parallel.forRanges(x.shape[0] * x.shape[1], minimumPerTask: max(1, Im2Col.grain / max(outPlane, 1))) { planes in
            for plane in planes {
                let into = target + plane &* outPlane
                into.update(repeating: value, count: outPlane)
                for z in 0..<depth {
                    for y in 0..<height {
                        let row = ((z + pads[0].before) * out[1] + y + pads[1].before) * out[2] + pads[2].before
                        (into + row).update(from: source + plane &* inPlane + (z * height + y) * width, count: width)
                    }
                }
            }
        }
        return result
    }
}
