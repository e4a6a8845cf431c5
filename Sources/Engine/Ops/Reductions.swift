/// Sum and mean over all elements, as rank-0 Variables. Accumulated in Double (blocked, so the
/// result does not depend on the core count).

public func sum(_ x: Variable) -> Variable {
    let value = Tensor(Float(Elementwise.sum(x.value)))
    return Variable.record(value, inputs: [x]) { grad, nodes in
        let xNode = nodes[0]
        xNode.accumulateGrad(fresh: Tensor(repeating: grad.scalar, shape: xNode.shape))
    }
}

public func mean(_ x: Variable) -> Variable {
    let n = x.value.count
    precondition(n > 0, "mean: empty input of shape \(x.shape)")
    let value = Tensor(Float(Elementwise.sum(x.value) / Double(n)))
    return Variable.record(value, inputs: [x]) { grad, nodes in
        let xNode = nodes[0]
        xNode.accumulateGrad(fresh: Tensor(repeating: grad.scalar / Float(n), shape: xNode.shape))
    }
}
