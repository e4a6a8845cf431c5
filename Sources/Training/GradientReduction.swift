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
        let total = parameters.reduce(0) { $0 + $1.grad!.count }
        let bucket = UnsafeMutablePointer<Float>.allocate(capacity: min(bucketElements, max(total, 1)))
        defer { bucket.deallocate() }
        var start = 0
        while start < total {
            let length = min(bucketElements, total - start)
            forEachSegment(parameters, start: start, length: length) { node, range, offset in
                let gradient = node.grad!.pointer
                for i in range { bucket[offset + i - range.lowerBound] = weight * gradient[i] }
            }
            group.allReduceSum(bucket, count: length)
            forEachSegment(parameters, start: start, length: length) { node, range, offset in
                node.updateGradInPlace { ($0.baseAddress! + range.lowerBound).update(from: bucket + offset, count: range.count) }
            }
            start += length
        }
    }

    /// Calls `body(node, elements of its gradient, offset in the bucket)` for the pieces of the
    /// stream's elements start ..< start + length. (Nothing else holds the gradients meanwhile,
    /// so writing them in place copies nothing.)
    private static func forEachSegment(_ parameters: [Variable], start: Int, length: Int,
                                       _ body: (GradientNode, Range<Int>, Int) -> Void) {
        var position = 0
        for parameter in parameters {
            let count = parameter.node.grad!.count
            let (low, high) = (max(start, position), min(start + length, position + count))
            if low < high { body(parameter.node, (low - position)..<(high - position), low - start) }
            position += count
            if position >= start + length { break }
        }
    }
}
