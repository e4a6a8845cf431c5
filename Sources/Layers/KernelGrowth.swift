import Engine

/// Parameters trained with a smaller odd convolution filter, made to fit the same model built
/// with a larger one (`train --init-from MODEL --filter-size 5` on a filter-3 model): each
/// kernel whose spatial size differs is centre-padded with zeros. The convolutions that take
/// the filter size pad their input by k/2, so a zero ring reads the same input pixels with the
/// same weights, and the grown model computes what the trained one did; training then starts
/// from there with the wider reach.
public enum KernelGrowth {
    /// `tensors` with every kernel that `layer` has larger zero-padded to its shape; every
    /// other tensor unchanged (a mismatch that is not a grown kernel is left for
    /// `loadParameters` to report).
    public static func grown(_ tensors: [String: Tensor], toFit layer: Layer) -> [String: Tensor] {
        var result = tensors
        for (name, parameter) in layer.namedParameters {
            guard let tensor = tensors[name], isGrownKernel(from: tensor.shape, to: parameter.shape) else { continue }
            result[name] = centrePadded(tensor, to: parameter.shape)
        }
        return result
    }

    /// Whether `target` is `source` with some kernel sizes grown from odd to larger odd: a
    /// convolution weight `[out, in, kernel sizes…]` (2-D `k×k`, 3-D with a window depth, or
    /// Conv-TT-LSTM's `k×k×1`) whose channels stay.
    public static func isGrownKernel(from source: [Int], to target: [Int]) -> Bool {
        guard source.count == target.count, source.count == 4 || source.count == 5, source != target,
              source.prefix(2) == target.prefix(2) else { return false }
        return zip(source.dropFirst(2), target.dropFirst(2)).allSatisfy { s, t in
            s == t || (s % 2 == 1 && t % 2 == 1 && s < t)
        }
    }

    /// `kernel` in the middle of a zero tensor of `shape` (the same rank, 4 or 5, each size at
    /// least the kernel's): SamePadding's constant padding, on a 2-D kernel seen as 3-D.
    public static func centrePadded(_ kernel: Tensor, to shape: [Int]) -> Tensor {
        let volume = { (s: [Int]) in s.count == 4 ? [s[0], s[1], 1, s[2], s[3]] : s }
        let (from, to) = (volume(kernel.shape), volume(shape))
        let pads = (2..<5).map { axis -> (before: Int, after: Int) in
            let margin = (to[axis] - from[axis]) / 2
            return (margin, margin)
        }
        return SamePadding.pad(kernel.reshaped(from), pads, value: 0).reshaped(shape)
    }
}
