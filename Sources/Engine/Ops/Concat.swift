/// Joining and cutting along an axis: concat, stack, split, chunk, slice, select.
/// Results are fresh contiguous tensors (the storage has no offsets, so parts cannot be views).

/// Joins variables that agree on every dimension but `axis` (e.g. channels: axis 1 of NCHW).
public func concat(_ xs: [Variable], axis: Int) -> Variable {
    precondition(!xs.isEmpty, "concat: no inputs")
    let axis = Shape.normalizedAxis(axis, rank: xs[0].shape.count, op: "concat", shape: xs[0].shape)
    let value = Concatenation.apply(xs.map(\.value), axis: axis)
    let sizes = xs.map { $0.shape[axis] }
    return Variable.record(value, inputs: xs) { grad, nodes in
        var start = 0
        for (x, size) in zip(nodes, sizes) {
            if x.requiresGrad {
                x.accumulateGrad(fresh: Concatenation.slice(grad, start: start, length: size, axis: axis))
            }
            start += size
        }
    }
}

/// Joins equally shaped variables along a new axis `axis` (0...rank; -1 = new last axis).
public func stack(_ xs: [Variable], axis: Int) -> Variable {
    precondition(!xs.isEmpty, "stack: no inputs")
    let shape = xs[0].shape
    for x in xs {
        precondition(x.shape == shape, "stack: shape \(x.shape) does not match \(shape) (shapes \(xs.map(\.shape)))")
    }
    let axis = Shape.normalizedAxis(axis, rank: shape.count + 1, op: "stack", shape: shape)
    var expanded = shape
    expanded.insert(1, at: axis)
    // A size-1 axis inserted by reshape (no copy), then one concat.
    return concat(xs.map { reshape($0, expanded) }, axis: axis)
}

/// Cuts `x` along `axis` into consecutive parts of the given sizes (they must add up to the
/// axis length).
///
/// Backward is shared by all parts: one gradient buffer for `x` that each part writes its own
/// slab into, and only the slabs of parts that received no gradient are zeroed. So cutting a
/// conv output into 7 gates costs one buffer, not 7 full-size gradients.
public func split(_ x: Variable, sizes: [Int], axis: Int) -> [Variable] {
    let axis = Shape.normalizedAxis(axis, rank: x.shape.count, op: "split", shape: x.shape)
    precondition(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == x.shape[axis],
                 "split: sizes \(sizes) do not add up to axis \(axis) of shape \(x.shape)")
    let starts = sizes.indices.map { sizes[..<$0].reduce(0, +) }
    let filled = SplitProgress(count: sizes.count)
    // A hidden node between x and the parts whose gradient is the shared buffer; the parts write
    // into it directly and it hands it on once every part has had its turn (it is created
    // before them, so backward reaches it after them).
    let hub = Variable.record(x.value, inputs: [x]) { buffer, nodes in
        for part in sizes.indices where !filled.done[part] {
            Concatenation.zero(buffer, start: starts[part], length: sizes[part], axis: axis)
        }
        nodes[0].accumulateGrad(fresh: buffer)
    }
    return sizes.indices.map { part in
        let value = Concatenation.slice(x.value, start: starts[part], length: sizes[part], axis: axis)
        return Variable.record(value, inputs: [hub]) { grad, nodes in
            let hubNode = nodes[0]
            let buffer: Tensor
            if let existing = hubNode.grad {
                buffer = existing
            } else {
                buffer = Tensor(uninitializedShape: hubNode.shape)
                hubNode.grad = buffer
            }
            Concatenation.place(grad, into: buffer, start: starts[part], axis: axis)
            filled.done[part] = true
        }
    }
}

/// Which parts of a split have written their gradient slab in the current backward pass.
private final class SplitProgress {
    var done: [Bool]
    init(count: Int) { done = [Bool](repeating: false, count: count) }
}

/// Cuts `x` along `axis` into `count` equal parts (e.g. the 7N channels of a conv into 7 gates).
public func chunk(_ x: Variable, _ count: Int, axis: Int) -> [Variable] {
    let axis = Shape.normalizedAxis(axis, rank: x.shape.count, op: "chunk", shape: x.shape)
    precondition(count > 0 && x.shape[axis] % count == 0,
                 "chunk: axis \(axis) of shape \(x.shape) does not divide into \(count) equal parts")
    return split(x, sizes: [Int](repeating: x.shape[axis] / count, count: count), axis: axis)
}

/// The slab `range` of `x` along `axis` (the axis is kept, with length `range.count`).
public func slice(_ x: Variable, range: Range<Int>, axis: Int) -> Variable {
    let axis = Shape.normalizedAxis(axis, rank: x.shape.count, op: "slice", shape: x.shape)
    precondition(range.lowerBound >= 0 && range.upperBound <= x.shape[axis],
                 "slice: range \(range) out of bounds for axis \(axis) of shape \(x.shape)")
    return narrow(x, start: range.lowerBound, length: range.count, axis: axis, shape: nil)
}

/// Entry `index` of `x` along `axis`, with that axis removed (e.g. frame t of [B,T,C,H,W]).
public func select(_ x: Variable, index: Int, axis: Int) -> Variable {
    let axis = Shape.normalizedAxis(axis, rank: x.shape.count, op: "select", shape: x.shape)
    precondition(index >= 0 && index < x.shape[axis],
                 "select: index \(index) out of bounds for axis \(axis) of shape \(x.shape)")
    var shape = x.shape
    shape.remove(at: axis)
    return narrow(x, start: index, length: 1, axis: axis, shape: shape)
}

/// slice/select: copy the slab out; backward writes the gradient into a zero tensor shaped as x.
private func narrow(_ x: Variable, start: Int, length: Int, axis: Int, shape: [Int]?) -> Variable {
    var value = Concatenation.slice(x.value, start: start, length: length, axis: axis)
    let slabShape = value.shape
    if let shape { value = value.reshaped(shape) }
    return Variable.record(value, inputs: [x]) { grad, nodes in
        let xNode = nodes[0]
        guard xNode.requiresGrad else { return }
        let gx = Tensor(uninitializedShape: xNode.shape)
        Concatenation.zero(gx, start: 0, length: start, axis: axis)
        Concatenation.zero(gx, start: start + length, length: xNode.shape[axis] - start - length, axis: axis)
        Concatenation.place(grad.reshaped(slabShape), into: gx, start: start, axis: axis)
        xNode.accumulateGrad(fresh: gx)
    }
}
