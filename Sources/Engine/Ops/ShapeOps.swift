/// Views and axis reordering: `reshape` (shares storage) and `permute` (materialises).

extension Shape {
    /// Resolves a possibly negative axis (-1 = last) against `rank`, failing with a message that
    /// names the op and the shape. `rank` may exceed the shape's rank by one for ops that insert
    /// an axis (`stack`).
    static func normalizedAxis(_ axis: Int, rank: Int, op: String, shape: [Int]) -> Int {
        precondition(axis >= -rank && axis < rank,
                     "\(op): axis \(axis) out of range for shape \(shape)")
        return axis < 0 ? axis + rank : axis
    }
}

/// Same values in a new shape, sharing storage (no copy). One dimension may be -1 (inferred).
public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
    let value = x.value.reshaped(shape)
    return Variable.record(value, inputs: [x]) { grad, nodes in
        let xNode = nodes[0]
        // The upstream gradient is held by the graph: accumulate a (copied) view of it.
        xNode.accumulateGrad(grad.reshaped(xNode.shape))
    }
}

extension Variable {
    /// `reshape(self, shape)`.
    public func reshaped(_ shape: [Int]) -> Variable { reshape(self, shape) }
}

/// Reorders the axes: result axis k is input axis `axes[k]` (like `torch.permute`).
/// The result is a fresh contiguous tensor.
public func permute(_ x: Variable, _ axes: [Int]) -> Variable {
    let value = Permute.apply(x.value, axes: axes)
    return Variable.record(value, inputs: [x]) { grad, nodes in
        let xNode = nodes[0]
        guard xNode.requiresGrad else { return }
        // The gradient goes back through the inverse permutation.
        var inverse = [Int](repeating: 0, count: axes.count)
        for (k, axis) in axes.enumerated() { inverse[axis] = k }
        xNode.accumulateGrad(fresh: Permute.apply(grad, axes: inverse))
    }
}
