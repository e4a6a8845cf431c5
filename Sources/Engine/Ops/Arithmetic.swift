/// + − × on Variables, with numpy-style broadcasting (either side may broadcast; the backward
/// sums the gradient over the broadcast axes), and with Float constants on either side.

public func + (lhs: Variable, rhs: Variable) -> Variable {
    let a = lhs, b = rhs
    let value = Broadcast.apply(.add, a.value, b.value)
    return Variable.record(value, inputs: [a, b]) { grad, nodes in
        let aNode = nodes[0]
        let bNode = nodes[1]
        passGradient(grad, to: aNode)
        passGradient(grad, to: bNode)
    }
}

public func - (lhs: Variable, rhs: Variable) -> Variable {
    let a = lhs, b = rhs
    let value = Broadcast.apply(.subtract, a.value, b.value)
    return Variable.record(value, inputs: [a, b]) { grad, nodes in
        let aNode = nodes[0]
        let bNode = nodes[1]
        passGradient(grad, to: aNode)
        if bNode.requiresGrad {
            let reduced = bNode.shape == grad.shape ? grad : Broadcast.reduce(grad, to: bNode.shape)
            bNode.accumulateGrad(fresh: Elementwise.affine(reduced, scale: -1, shift: 0))
        }
    }
}

public func * (lhs: Variable, rhs: Variable) -> Variable {
    let a = lhs, b = rhs
    let value = Broadcast.apply(.multiply, a.value, b.value)
    // Each side's gradient needs only the other side's value: keep no more alive than that.
    let savedA = b.requiresGrad ? a.value : nil, savedB = a.requiresGrad ? b.value : nil
    return Variable.record(value, inputs: [a, b]) { grad, nodes in
        let aNode = nodes[0]
        let bNode = nodes[1]
        if let savedB { aNode.accumulateGrad(fresh: productGradient(grad, other: savedB, shape: aNode.shape)) }
        if let savedA { bNode.accumulateGrad(fresh: productGradient(grad, other: savedA, shape: bNode.shape)) }
    }
}

public func + (lhs: Variable, rhs: Float) -> Variable { affine(lhs, scale: 1, shift: rhs) }
public func + (lhs: Float, rhs: Variable) -> Variable { affine(rhs, scale: 1, shift: lhs) }
public func - (lhs: Variable, rhs: Float) -> Variable { affine(lhs, scale: 1, shift: -rhs) }
public func - (lhs: Float, rhs: Variable) -> Variable { affine(rhs, scale: -1, shift: lhs) }
public func * (lhs: Variable, rhs: Float) -> Variable { affine(lhs, scale: rhs, shift: 0) }
public func * (lhs: Float, rhs: Variable) -> Variable { affine(rhs, scale: lhs, shift: 0) }
public prefix func - (x: Variable) -> Variable { affine(x, scale: -1, shift: 0) }

/// x · scale + shift with constant scale and shift (exact for scale ±1: x + c, c − x, −x).
private func affine(_ x: Variable, scale: Float, shift: Float) -> Variable {
    let value = Elementwise.affine(x.value, scale: scale, shift: shift)
    return Variable.record(value, inputs: [x]) { grad, nodes in
        let xNode = nodes[0]
        if scale == 1 {
            xNode.accumulateGrad(grad)
        } else {
            xNode.accumulateGrad(fresh: Elementwise.affine(grad, scale: scale, shift: 0))
        }
    }
}

/// Passes the gradient of a sum on to one of its operands, reduced over its broadcast axes.
private func passGradient(_ grad: Tensor, to x: GradientNode) {
    guard x.requiresGrad else { return }
    if x.shape == grad.shape {
        x.accumulateGrad(grad)
    } else {
        x.accumulateGrad(fresh: Broadcast.reduce(grad, to: x.shape))
    }
}

/// d(x ⊙ other)/dx applied to `grad`: grad ⊙ other, reduced to x's shape.
private func productGradient(_ grad: Tensor, other: Tensor, shape: [Int]) -> Tensor {
    if shape == grad.shape { return Broadcast.apply(.multiply, grad, other) }
    if other.shape == grad.shape { return Broadcast.reduceProduct(grad, other, to: shape) }
    return Broadcast.reduce(Broadcast.apply(.multiply, grad, other), to: shape)
}
