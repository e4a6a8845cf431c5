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
        guard source.count == target.count, source.count >= 4, source != target,
              source.prefix(2) == target.prefix(2) else { return false }
        return zip(source.dropFirst(2), target.dropFirst(2)).allSatisfy { s, t in
            s == t || (s % 2 == 1 && t % 2 == 1 && s < t)
        }
    }

    /// `kernel` in the middle of a zero tensor of `shape` (the same rank, each size at least
    /// the kernel's).
    public static func centrePadded(_ kernel: Tensor, to shape: [Int]) -> Tensor {
        let source = kernel.scalars
        let margins = zip(kernel.shape, shape).map { ($1 - $0) / 2 }
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        var padded = [Float](repeating: 0, count: shape.reduce(1, *))
        var index = [Int](repeating: 0, count: shape.count)   // the source element's, row-major
        for value in source {
            var offset = 0
            for axis in shape.indices { offset += (index[axis] + margins[axis]) * strides[axis] }
            padded[offset] = value
            for axis in stride(from: shape.count - 1, through: 0, by: -1) {
                index[axis] += 1
                if index[axis] < kernel.shape[axis] { break }
                index[axis] = 0
            }
        }
        return Tensor(shape: shape, scalars: padded)
    }
}
