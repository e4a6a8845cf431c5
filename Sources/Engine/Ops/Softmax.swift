/// Softmax along `axis` (default: the last), numerically stable.
public func softmax(_ x: Variable, axis: Int = -1) -> Variable {
    let axis = Shape.normalizedAxis(axis, rank: x.shape.count, op: "softmax", shape: x.shape)
    let y = Softmax.forward(x.value, axis: axis)
    return Variable.record(y, inputs: [x]) { grad, nodes in
        let xNode = nodes[0]
        guard xNode.requiresGrad else { return }
        xNode.accumulateGrad(fresh: Softmax.backward(output: y, grad: grad, axis: axis))
    }
}
