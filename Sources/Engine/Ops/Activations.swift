/// Logistic sigmoid and tanh on Variables (FastMath kernels). Their derivatives are computed
/// from the outputs, so backward keeps only the result tensor.

public func sigmoid(_ x: Variable) -> Variable {
    let y = Elementwise.sigmoid(x.value)
    return Variable.record(y, inputs: [x]) { grad, nodes in
        let xNode = nodes[0]
        xNode.accumulateGrad(fresh: Elementwise.sigmoidBackward(output: y, grad: grad))
    }
}

/// Overloads the Foundation/Glibc `tanh(Double)`; that one still resolves for numbers.
public func tanh(_ x: Variable) -> Variable {
    let y = Elementwise.tanh(x.value)
    return Variable.record(y, inputs: [x]) { grad, nodes in
        let xNode = nodes[0]
        xNode.accumulateGrad(fresh: Elementwise.tanhBackward(output: y, grad: grad))
    }
}

/// LeakyReLU: x where x ≥ 0, `negativeSlope`·x below (TrajGRU's activation, slope 0.2). The
/// derivative at 0 is 1, as in PyTorch.
public func leakyReLU(_ x: Variable, negativeSlope: Float) -> Variable {
    let input = x.value
    let y = Elementwise.map(input) { src, dst, count in
        for i in 0..<count { dst[i] = src[i] >= 0 ? src[i] : negativeSlope * src[i] }
    }
    return Variable.record(y, inputs: [x]) { grad, nodes in
        let xNode = nodes[0]
        xNode.accumulateGrad(fresh: Elementwise.zip(input, grad, LeakyReLUDerivative(negativeSlope: negativeSlope)))
    }
}
