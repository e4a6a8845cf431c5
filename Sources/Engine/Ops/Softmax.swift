/// Softmax along `axis` (default: the last), numerically stable.
public func softmax(_ x: Variable, axis: Int = -1) -> Variable {
    let axis = Shape.normalizedAxis(axis, rank: x.shape.count, op: "softmax", shape: x.shape)
    let y = Softmax.forward(x.value, axis: axis)
    let xNode = x.node
    return Variable.record(y, inputs: [x]) { grad in
        guard xNode.requiresGrad else { return }
        xNode.accumulateGrad(fresh: Softmax.backward(output: y, grad: grad, axis: axis))
    }
}
