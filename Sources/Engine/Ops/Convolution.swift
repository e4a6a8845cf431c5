/// Differentiable convolutions (PyTorch semantics: cross-correlation, zero padding, PyTorch
/// weight layouts). Values and gradients come from the kernels in
/// `Kernels/ConvolutionKernels.swift` (im2col + SGEMM, or Winograd for 3×3 and 5×5).

/// 2-D convolution: x [B, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout]
/// → [B, Cout, (H + 2p − kh)/s + 1, (W + 2p − kw)/s + 1].
public func conv2d(_ x: Variable, weight: Variable, bias: Variable? = nil,
                   stride: Int = 1, padding: Int = 0) -> Variable {
    let op = "conv2d"
    Shape.check(op, x.shape, rank: 4, "input")
    Shape.check(op, weight.shape, rank: 4, "weight")
    checkChannels(op, x.shape, weight.shape, bias?.shape, inputAxis: 1, outputAxis: 0)
    let geometry = ConvGeometry(op: op, batch: x.shape[0], channels: x.shape[1],
                                input: (1, x.shape[2], x.shape[3]),
                                kernel: (1, weight.shape[2], weight.shape[3]),
                                stride: (1, stride, stride), padding: (0, padding, padding))
    return recordConvolution(x, weight, bias, geometry)
}

/// 3-D convolution: x [B, Cin, D, H, W], weight [Cout, Cin, kd, kh, kw], bias [Cout],
/// stride and padding per (depth, height, width).
public func conv3d(_ x: Variable, weight: Variable, bias: Variable? = nil,
                   stride: (Int, Int, Int) = (1, 1, 1), padding: (Int, Int, Int) = (0, 0, 0)) -> Variable {
    let op = "conv3d"
    Shape.check(op, x.shape, rank: 5, "input")
    Shape.check(op, weight.shape, rank: 5, "weight")
    checkChannels(op, x.shape, weight.shape, bias?.shape, inputAxis: 1, outputAxis: 0)
    let geometry = ConvGeometry(op: op, batch: x.shape[0], channels: x.shape[1],
                                input: (x.shape[2], x.shape[3], x.shape[4]),
                                kernel: (weight.shape[2], weight.shape[3], weight.shape[4]),
                                stride: stride, padding: padding)
    return recordConvolution(x, weight, bias, geometry)
}

/// 2-D transposed convolution (the adjoint of conv2d in its input, as PyTorch's
/// ConvTranspose2d without output padding): x [B, Cin, H, W], weight [Cin, Cout, kh, kw],
/// bias [Cout] → [B, Cout, (H − 1)·s − 2p + kh, (W − 1)·s − 2p + kw].
public func convTranspose2d(_ x: Variable, weight: Variable, bias: Variable? = nil,
                            stride: Int = 1, padding: Int = 0) -> Variable {
    let op = "convTranspose2d"
    Shape.check(op, x.shape, rank: 4, "input")
    Shape.check(op, weight.shape, rank: 4, "weight")
    checkChannels(op, x.shape, weight.shape, bias?.shape, inputAxis: 0, outputAxis: 1)
    precondition(stride > 0 && padding >= 0, "\(op): stride \(stride) and padding \(padding) invalid")
    let outputHeight = (x.shape[2] - 1) * stride - 2 * padding + weight.shape[2]
    let outputWidth = (x.shape[3] - 1) * stride - 2 * padding + weight.shape[3]
    precondition(outputHeight > 0 && outputWidth > 0,
                 "\(op): input \(x.shape) with weight \(weight.shape), stride \(stride), padding \(padding) gives an empty output")
    // The geometry of the convolution that maps the result back to x's size.
    let geometry = ConvGeometry(op: op, batch: x.shape[0], channels: weight.shape[1],
                                input: (1, outputHeight, outputWidth),
                                kernel: (1, weight.shape[2], weight.shape[3]),
                                stride: (1, stride, stride), padding: (0, padding, padding))
    let value = Convolution.transposedForward(x.value, weight: weight.value, bias: bias?.value,
                                              geometry: geometry)
    OperationCounter.record(multiplyAdds: x.value.count * geometry.patchSize)  // each input value meets Cout·kh·kw weights
    // Backward needs x only for the weight gradient and the weight only for x's: keep no more
    // alive than that.
    let savedX = weight.requiresGrad ? x.value : nil
    let savedWeight = x.requiresGrad ? weight.value : nil
    return Variable.record(value, inputs: [x, weight] + (bias.map { [$0] } ?? [])) { grad, nodes in
        let (xNode, weightNode, biasNode) = (nodes[0], nodes[1], nodes.count > 2 ? nodes[2] : nil)
        let grads = Convolution.transposedBackward(grad, x: savedX, weight: savedWeight, geometry: geometry,
                                                   bias: biasNode?.requiresGrad ?? false)
        if let gx = grads.input { xNode.accumulateGrad(fresh: gx) }
        if let gw = grads.weight { weightNode.accumulateGrad(fresh: gw) }
        if let biasNode, let gb = grads.bias { biasNode.accumulateGrad(fresh: gb) }
    }
}

/// Records a convolution (2-D or 3-D) with its backward rule.
private func recordConvolution(_ x: Variable, _ weight: Variable, _ bias: Variable?,
                               _ geometry: ConvGeometry) -> Variable {
    let value = Convolution.forward(x.value, weight: weight.value, bias: bias?.value, geometry: geometry)
    OperationCounter.record(multiplyAdds: value.count * geometry.patchSize)  // each output value sums Cin·k³ products
    // Backward needs x only for the weight gradient and the weight only for x's: keep no more
    // alive than that (x is often a large activation).
    let savedX = weight.requiresGrad ? x.value : nil
    let savedWeight = x.requiresGrad ? weight.value : nil
    return Variable.record(value, inputs: [x, weight] + (bias.map { [$0] } ?? [])) { grad, nodes in
        let (xNode, weightNode, biasNode) = (nodes[0], nodes[1], nodes.count > 2 ? nodes[2] : nil)
        let grads = Convolution.backward(grad, x: savedX, weight: savedWeight, geometry: geometry,
                                         bias: biasNode?.requiresGrad ?? false)
        if let gx = grads.input { xNode.accumulateGrad(fresh: gx) }
        if let gw = grads.weight { weightNode.accumulateGrad(fresh: gw) }
        if let biasNode, let gb = grads.bias { biasNode.accumulateGrad(fresh: gb) }
    }
}

/// Input channels of x must match the weight's, and the bias must have one value per output
/// channel. `inputAxis`/`outputAxis` say where the weight stores them (they swap for transposed).
private func checkChannels(_ op: String, _ x: [Int], _ weight: [Int], _ bias: [Int]?,
                           inputAxis: Int, outputAxis: Int) {
    precondition(x[1] == weight[inputAxis],
                 "\(op): input \(x) has \(x[1]) channels but weight \(weight) expects \(weight[inputAxis])")
    if let bias { Shape.check(op, bias, equals: [weight[outputAxis]], "bias") }
}
