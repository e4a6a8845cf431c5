/// Logistic sigmoid and tanh on Variables (FastMath kernels). Their derivatives are computed
/// from the outputs, so backward keeps only the result tensor.

public func sigmoid(_ x: Variable) -> Variable {
    let y = Elementwise.sigmoid(x.value)
    let xNode = x.node
    return Variable.record(y, inputs: [x]) { grad in
        xNode.accumulateGrad(fresh: Elementwise.sigmoidBackward(output: y, grad: grad))
    }
}

/// Overloads the Foundation/Glibc `tanh(Double)`; that one still resolves for numbers.
public func tanh(_ x: Variable) -> Variable {
    let y = Elementwise.tanh(x.value)
    let xNode = x.node
    return Variable.record(y, inputs: [x]) { grad in
        xNode.accumulateGrad(fresh: Elementwise.tanhBackward(output: y, grad: grad))
    }
}
