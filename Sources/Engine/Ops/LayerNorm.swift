/// LayerNorm with PyTorch `nn.LayerNorm` semantics: each sample is normalised over its trailing
/// `normalizedRank` dims (e.g. [C,H,W] of NCHW) with the biased variance, then scaled and
/// shifted element-wise by `weight` and `bias`, whose shape equals those trailing dims.
/// Either affine parameter may be absent. Hand-written backward (see `LayerNormKernels`).
public func layerNorm(_ x: Variable, weight: Variable?, bias: Variable?, normalizedRank: Int,
                      epsilon: Float = 1e-5) -> Variable {
    precondition(normalizedRank >= 1 && normalizedRank <= x.shape.count,
                 "layerNorm: normalizedRank \(normalizedRank) out of range for input \(x.shape)")
    let normalizedShape = Array(x.shape.suffix(normalizedRank))
    if let weight { Shape.check("layerNorm", weight.shape, equals: normalizedShape, "weight shape") }
    if let bias { Shape.check("layerNorm", bias.shape, equals: normalizedShape, "bias shape") }
    let groupSize = Shape.elementCount(normalizedShape)
    precondition(groupSize > 0, "layerNorm: empty normalized shape \(normalizedShape)")
    let (value, statistics) = LayerNormKernels.forward(
        x.value, weight: weight?.value, bias: bias?.value, groupSize: groupSize, epsilon: epsilon)
    let inputs = [x] + [weight, bias].compactMap { $0 }
    let xValue = x.value, weightValue = weight?.value
    let (hasWeight, hasBias) = (weight != nil, bias != nil)
    return Variable.record(value, inputs: inputs) { grad, nodes in
        // nodes: x, then the weight and the bias where given.
        let xNode = nodes[0]
        let weightNode = hasWeight ? nodes[1] : nil
        let biasNode = hasBias ? nodes[hasWeight ? 2 : 1] : nil
        let needWeight = weightNode?.requiresGrad ?? false
        let needBias = biasNode?.requiresGrad ?? false
        let grads = LayerNormKernels.backward(
            grad, xValue, weight: weightValue, statistics: statistics, groupSize: groupSize,
            needInput: xNode.requiresGrad, needWeight: needWeight, needBias: needBias)
        if let gx = grads.input { xNode.accumulateGrad(fresh: gx) }
        if let gw = grads.weight, let weightNode { weightNode.accumulateGrad(fresh: gw.reshaped(weightNode.shape)) }
        if let gb = grads.bias, let biasNode { biasNode.accumulateGrad(fresh: gb.reshaped(biasNode.shape)) }
    }
}
