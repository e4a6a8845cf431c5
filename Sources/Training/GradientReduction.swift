import Engine

/// Sums the parameters' gradients over a process group (synchronous data parallelism): each
/// process's gradient is weighted by its share of the global batch, so the sum is the gradient
/// of the global batch's mean loss. The gradients, in the model's parameter order (the same on
/// every process), form one virtual stream that is copied into buckets of `bucketElements`
/// floats, reduced in place with one all-reduce per bucket, and copied back.
enum GradientReduction {
    /// 4 MiB of floats: large enough that per-call latency does not matter, small enough that
    /// the scratch stays modest for the paper's 7 M-parameter models.
    static let bucketElements = 1 << 20

    static func sum(_ parameters: [Variable], weight: Float, over group: any ProcessGroup) {
        // A parameter without a gradient on this process takes part with zeros, so that every
        // process reduces the same stream (in these models every parameter gets one each step).
        for parameter in parameters where parameter.grad == nil {
            parameter.accumulateGrad(fresh: Tensor(zeros: parameter.shape))
        }
        let gradients = parameters.map { $0.grad! }
        let total = gradients.reduce(0) { $0 + $1.count }
        let bucket = UnsafeMutablePointer<Float>.allocate(capacity: min(bucketElements, max(total, 1)))
        defer { bucket.deallocate() }
        var start = 0
        while start < total {
            let length = min(bucketElements, total - start)
            forEachSegment(gradients, start: start, length: length) { pointer, offset, count in
                for i in 0..<count { bucket[offset + i] = weight * pointer[i] }
            }
            group.allReduceSum(bucket, count: length)
            forEachSegment(gradients, start: start, length: length) { pointer, offset, count in
                (pointer).update(from: bucket + offset, count: count)
            }
            start += length
        }
    }

    /// Calls `body(pointer into a gradient, offset in the bucket, count)` for the pieces of the
    /// stream's elements start ..< start + length.
    private static func forEachSegment(_ gradients: [Tensor], start: Int, length: Int,
                                       _ body: (UnsafeMutablePointer<Float>, Int, Int) -> Void) {
        var position = 0
        for gradient in gradients {
            let (low, high) = (max(start, position), min(start + length, position + gradient.count))
            if low < high { body(gradient.mutablePointer + (low - position), low - start, high - low) }
            position += gradient.count
            if position >= start + length { break }
        }
    }
}
