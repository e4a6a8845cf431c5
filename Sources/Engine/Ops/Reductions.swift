/// Sum and mean over all elements, as rank-0 Variables. Accumulated in Double (blocked, so the
/// result does not depend on the core count).

public func sum(_ x: Variable) -> Variable {
    let value = Tensor(Float(Elementwise.sum(x.value)))
    let xNode = x.node
    return Variable.record(value, inputs: [x]) { grad in
        xNode.accumulateGrad(fresh: Tensor(repeating: grad.scalar, shape: xNode.shape))
    }
}

public func mean(_ x: Variable) -> Variable {
    let n = x.value.count
    precondition(n > 0, "mean: empty input of shape \(x.shape)")
    let value = Tensor(Float(Elementwise.sum(x.value) / Double(n)))
    let xNode = x.node
    return Variable.record(value, inputs: [x]) { grad in
        xNode.accumulateGrad(fresh: Tensor(repeating: grad.scalar / Float(n), shape: xNode.shape))
    }
}
