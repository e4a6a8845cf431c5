/// The sampling half of MotionRNN's Warp (SPEC §4.1) as a differentiable deformable im2col.
///
/// x [B, C, H, W]; offsets [B, 18, H, W] (channel n: row offset of neighbour n = 3a+b, 9+n: column
/// offset); mask [B, 9, H, W], already through the sigmoid. Result [B, C·9, H, W] with channel
/// c·9+n = bilinear(x zero-padded by 1, (i+a)+offsets[n], (j+b)+offsets[9+n]) · mask[n], clamped
/// as the official code does. Because neighbour n of pixel (i, j) sits at (3i+a, 3j+b) of the
/// Warp's 3H×3W map, the Warp's stride-3 conv is this result times its weight as [outC, C·9].
public func deformableSample(_ x: Variable, offsets: Variable, mask: Variable) -> Variable {
    let xValue = x.value, offsetValue = offsets.value, maskValue = mask.value
    let value = DeformableSampling.forward(xValue, offsets: offsetValue, mask: maskValue)
    return Variable.record(value, inputs: [x, offsets, mask]) { grad, nodes in
        let xNode = nodes[0]
        let offsetsNode = nodes[1]
        let maskNode = nodes[2]
        let grads = DeformableSampling.backward(
            grad, x: xValue, offsets: offsetValue, mask: maskValue,
            needX: xNode.requiresGrad, needOffsets: offsetsNode.requiresGrad, needMask: maskNode.requiresGrad)
        if let gx = grads.x { xNode.accumulateGrad(fresh: gx) }
        if let go = grads.offsets { offsetsNode.accumulateGrad(fresh: go) }
        if let gm = grads.mask { maskNode.accumulateGrad(fresh: gm) }
    }
}
