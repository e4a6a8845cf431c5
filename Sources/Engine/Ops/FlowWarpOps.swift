/// TrajGRU's warp (SPEC §10.1) as a differentiable op: x [B, C, H, W] moved by each of the L flow
/// fields in flows [B, 2L, H, W] (channel 2l: column displacement, 2l + 1: row displacement, in
/// pixels), sampled bilinearly with zeros outside and no clamping. Result [B, L·C, H, W], channel
/// l·C + c. See `FlowWarping` for the exact rule.
public func flowWarp(_ x: Variable, flows: Variable) -> Variable {
    let xValue = x.value, flowValue = flows.value
    let value = FlowWarping.forward(xValue, flows: flowValue)
    return Variable.record(value, inputs: [x, flows]) { grad, nodes in
        let xNode = nodes[0]
        let flowsNode = nodes[1]
        let grads = FlowWarping.backward(grad, x: xValue, flows: flowValue,
                                         needX: xNode.requiresGrad, needFlows: flowsNode.requiresGrad)
        if let gx = grads.x { xNode.accumulateGrad(fresh: gx) }
        if let gf = grads.flows { flowsNode.accumulateGrad(fresh: gf) }
    }
}
