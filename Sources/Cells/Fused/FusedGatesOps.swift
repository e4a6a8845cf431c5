import Engine

/// Differentiable fused passes of the ST-LSTM cell and MotionRNN's gate blend (kernels in
/// `FusedGates.swift`), built on the engine's public API for custom ops (`Variable.record`,
/// `Tensor.build`, `GradientNode.withAccumulationBuffer`, `FastMath`, `Parallel`): a new backbone can bring its
/// own fused kernels the same way.
///
/// Both ops read gate slabs of the same conv outputs x (7N channels) and h (4N channels). Their
/// backward rules add their slabs straight into x's and h's gradient buffers (created zeroed by
/// whichever runs first), so the conv outputs receive one gradient tensor, with no chunk copies
/// and no summing of per-slab gradients. For backward they keep the activated gates, not the
/// conv outputs, which are therefore freed as soon as the cell step is done (8N channels per
/// step stay alive for training instead of 16N).

/// [C', M'] `[B, 2N, H, W]` from the gate convolutions (SPEC §3):
/// i = σ(x0 + h0), f = σ(x1 + h1 + 1), g = tanh(x2 + h2), C' = f ⊙ C + i ⊙ g;
/// i' = σ(x3 + m0), f' = σ(x4 + m1 + 1), g' = tanh(x5 + m2), M' = f' ⊙ M + i' ⊙ g'.
/// `x [B, 7N, H, W]` (slabs 0…5 used), `h [B, 4N, H, W]` (0…2), `m [B, 3N, H, W]`,
/// `cell`, `memory [B, N, H, W]`.
public func spatioTemporalMemories(x: Variable, h: Variable, m: Variable,
                                   cell: Variable, memory: Variable) -> Variable {
    let op = "spatioTemporalMemories"
    Shape.check(op, cell.shape, rank: 4, "cell")
    let n = cell.shape[1]
    var expected = cell.shape
    Shape.check(op, memory.shape, equals: expected, "memory")
    expected[1] = 3 * n
    Shape.check(op, m.shape, equals: expected, "m")
    precondition(x.shape.count == 4 && x.shape[1] >= 6 * n && Array(x.shape[2...]) == Array(cell.shape[2...])
                    && x.shape[0] == cell.shape[0],
                 "\(op): x \(x.shape) needs ≥ 6·\(n) channels of cell \(cell.shape)'s size")
    precondition(h.shape.count == 4 && h.shape[1] >= 3 * n && Array(h.shape[2...]) == Array(cell.shape[2...])
                    && h.shape[0] == cell.shape[0],
                 "\(op): h \(h.shape) needs ≥ 3·\(n) channels of cell \(cell.shape)'s size")
    let inputs = [x, h, m, cell, memory]
    // Training keeps the six activated gates (6N channels) for backward, so that the conv
    // outputs (14N) are freed after this pass.
    let outputs = Tensor.build([[cell.shape[0], 2 * n] + cell.shape[2...],
                                Variable.records(inputs: inputs) ? [x.shape[0], 6 * n] + cell.shape[2...] : nil]) {
        FusedGates.memoriesForward(x: x.value, h: h.value, m: m.value, cell: cell.value, memory: memory.value,
                                   channels: n, into: $0[0]!.baseAddress!, gates: $0[1]?.baseAddress)
    }
    let (value, gates) = (outputs[0]!, outputs[1])
    let cellValue = cell.value, memoryValue = memory.value
    return Variable.record(value, inputs: inputs) { grad, nodes in
        let (xNode, hNode, mNode, cellNode, memoryNode) = (nodes[0], nodes[1], nodes[2], nodes[3], nodes[4])
        let grads = xNode.withAccumulationBuffer { gradX in
            hNode.withAccumulationBuffer { gradH in
                Tensor.build([mNode, cellNode, memoryNode].map { $0.requiresGrad ? $0.shape : nil }) {
                    FusedGates.memoriesBackward(
                        grad: grad, gates: gates!, cell: cellValue, memory: memoryValue, channels: n,
                        gradX: gradX?.baseAddress, xChannels: xNode.shape[1],
                        gradH: gradH?.baseAddress, hChannels: hNode.shape[1],
                        gradM: $0[0]?.baseAddress, gradCell: $0[1]?.baseAddress, gradMemory: $0[2]?.baseAddress)
                }
            }
        }
        accumulate(grads, into: [mNode, cellNode, memoryNode])
    }
}

/// [H', o] `[B, 2N, H, W]`: o = σ(x6 + h3 + oConv), H' = o ⊙ tanh(last).
/// `x [B, 7N, H, W]` (slab 6), `h [B, 4N, H, W]` (slab 3), `oConv`, `last [B, N, H, W]`.
public func spatioTemporalOutput(x: Variable, h: Variable, oConv: Variable, last: Variable) -> Variable {
    let op = "spatioTemporalOutput"
    Shape.check(op, last.shape, rank: 4, "last")
    let n = last.shape[1]
    Shape.check(op, oConv.shape, equals: last.shape, "oConv")
    var expected = last.shape
    expected[1] = 7 * n
    Shape.check(op, x.shape, equals: expected, "x")
    expected[1] = 4 * n
    Shape.check(op, h.shape, equals: expected, "h")
    let inputs = [x, h, oConv, last]
    let outputs = Tensor.build([[last.shape[0], 2 * n] + last.shape[2...],
                                Variable.records(inputs: inputs) ? [last.shape[0], 2 * n] + last.shape[2...] : nil]) {
        FusedGates.outputForward(x: x.value, h: h.value, oConv: oConv.value, last: last.value, channels: n,
                                 into: $0[0]!.baseAddress!, saved: $0[1]?.baseAddress)   // saved: [o, tanh(last)]
    }
    let (value, saved) = (outputs[0]!, outputs[1])
    return Variable.record(value, inputs: inputs) { grad, nodes in
        let (xNode, hNode, oConvNode, lastNode) = (nodes[0], nodes[1], nodes[2], nodes[3])
        let grads = xNode.withAccumulationBuffer { gradX in
            hNode.withAccumulationBuffer { gradH in
                Tensor.build([oConvNode, lastNode].map { $0.requiresGrad ? $0.shape : nil }) {
                    FusedGates.outputBackward(
                        grad: grad, saved: saved!, channels: n,
                        gradX: gradX?.baseAddress, xChannels: xNode.shape[1],
                        gradH: gradH?.baseAddress, hChannels: hNode.shape[1],
                        gradOConv: $0[0]?.baseAddress, gradLast: $0[1]?.baseAddress)
                }
            }
        }
        accumulate(grads, into: [oConvNode, lastNode])
    }
}

/// σ(pre) ⊙ a + (1 − σ(pre)) ⊙ b in one pass (MotionRNN's transition gate, SPEC §4); backward
/// recomputes the gate. All three have the same shape.
public func gatedBlend(_ pre: Variable, _ a: Variable, _ b: Variable) -> Variable {
    Shape.check("gatedBlend", a.shape, equals: pre.shape, "a")
    Shape.check("gatedBlend", b.shape, equals: pre.shape, "b")
    let value = Tensor(shape: pre.shape) {
        FusedGates.gatedBlendForward(pre: pre.value, a: a.value, b: b.value, into: $0.baseAddress!)
    }
    let preValue = pre.value, aValue = a.value, bValue = b.value
    return Variable.record(value, inputs: [pre, a, b]) { grad, nodes in
        let grads = Tensor.build(nodes.map { $0.requiresGrad ? $0.shape : nil }) {
            FusedGates.gatedBlendBackward(grad: grad, pre: preValue, a: aValue, b: bValue, gradPre: $0[0]?.baseAddress,
                                          gradA: $0[1]?.baseAddress, gradB: $0[2]?.baseAddress)
        }
        accumulate(grads, into: nodes)
    }
}

/// Hands each new gradient (nil where the node needs none) to its node.
private func accumulate(_ gradients: [Tensor?], into nodes: [GradientNode]) {
    for (gradient, node) in zip(gradients, nodes) {
        if let gradient { node.accumulateGrad(fresh: gradient) }
    }
}
