/// Regression losses: the mean over all elements of a penalty of d = prediction − target, as a
/// rank-0 Variable. Sums are accumulated in Double. Both arguments may require gradients.

/// mean(d²)
public func mseLoss(_ prediction: Variable, _ target: Variable) -> Variable {
    penaltyLoss(.squared, "mseLoss", prediction, target)
}

/// mean(|d|); d|d|/dd = 0 at d = 0 (as PyTorch).
public func l1Loss(_ prediction: Variable, _ target: Variable) -> Variable {
    penaltyLoss(.absolute, "l1Loss", prediction, target)
}

/// mean(|d|) + mean(d²), the paper's default training loss.
public func l1PlusL2Loss(_ prediction: Variable, _ target: Variable) -> Variable {
    penaltyLoss(.absolutePlusSquared, "l1PlusL2Loss", prediction, target)
}

private func penaltyLoss(_ penalty: Elementwise.Penalty, _ op: String,
                         _ prediction: Variable, _ target: Variable) -> Variable {
    Shape.check(op, target.shape, equals: prediction.shape, "target shape")
    let n = prediction.value.count
    precondition(n > 0, "\(op): empty input of shape \(prediction.shape)")
    let p = prediction.value, t = target.value
    let value = Tensor(Float(Elementwise.penaltySum(penalty, p, t) / Double(n)))
    return Variable.record(value, inputs: [prediction, target]) { grad, nodes in
        let predictionNode = nodes[0]
        let targetNode = nodes[1]
        let scale = grad.scalar / Float(n)
        if predictionNode.requiresGrad {
            predictionNode.accumulateGrad(fresh: Elementwise.penaltyGradient(penalty, p, t, scale: scale))
        }
        if targetNode.requiresGrad {
            targetNode.accumulateGrad(fresh: Elementwise.penaltyGradient(penalty, p, t, scale: -scale))
        }
    }
}

/// The gradient difference loss (Mathieu et al. 2016, α = 1) of channels-last frames
/// `[…, H, W, C]`: (Σ | |∂y t| − |∂y p| | + Σ | |∂x t| − |∂x p| |) / (number of elements), with
/// one-pixel differences inside each frame — SPEC §9's GDL metric, per element. It penalises
/// edges that the prediction blurs (or invents), which a per-pixel loss does not see. The slope
/// of |·| at 0 is 0 (as `l1Loss`).
public func gradientDifferenceLoss(_ prediction: Variable, _ target: Variable) -> Variable {
    Shape.check("gradientDifferenceLoss", target.shape, equals: prediction.shape, "target shape")
    precondition(prediction.shape.count >= 3, "gradientDifferenceLoss: shape \(prediction.shape) is not […, H, W, C]")
    let n = prediction.value.count
    precondition(n > 0, "gradientDifferenceLoss: empty input of shape \(prediction.shape)")
    let frame = GradientDifference(shape: prediction.shape)
    let p = prediction.value, t = target.value
    var total = 0.0
    frame.forEachPair(count: n) { a, b in
        let dp = p.pointer[b] - p.pointer[a], dt = t.pointer[b] - t.pointer[a]
        total += Double(Swift.abs(Swift.abs(dt) - Swift.abs(dp)))
    }
    let value = Tensor(Float(total / Double(n)))
    return Variable.record(value, inputs: [prediction, target]) { grad, nodes in
        let scale = grad.scalar / Float(n)
        // d/d(Δp) = −sign(|Δt| − |Δp|)·sign(Δp), and the same with the roles swapped for Δt.
        func gradient(of own: Tensor, other: Tensor) -> Tensor {
            var out = Tensor(zeros: own.shape)
            out.withUnsafeMutableBufferPointer { out in
                frame.forEachPair(count: n) { a, b in
                    let mine = own.pointer[b] - own.pointer[a], theirs = other.pointer[b] - other.pointer[a]
                    let slope = -sign(Swift.abs(theirs) - Swift.abs(mine)) * sign(mine) * scale
                    out[b] += slope
                    out[a] -= slope
                }
            }
            return out
        }
        if nodes[0].requiresGrad { nodes[0].accumulateGrad(fresh: gradient(of: p, other: t)) }
        if nodes[1].requiresGrad { nodes[1].accumulateGrad(fresh: gradient(of: t, other: p)) }
    }
}

private func sign(_ x: Float) -> Float { x > 0 ? 1 : x < 0 ? -1 : 0 }

/// The neighbouring pairs of elements in frames `[…, H, W, C]`: (above, below) and (left, right)
/// of each channel, frame by frame.
private struct GradientDifference {
    let height: Int, width: Int, channels: Int

    init(shape: [Int]) {
        (height, width, channels) = (shape[shape.count - 3], shape[shape.count - 2], shape[shape.count - 1])
    }

    func forEachPair(count: Int, _ body: (_ a: Int, _ b: Int) -> Void) {
        let row = width * channels, frameSize = height * row
        for start in stride(from: 0, to: count, by: frameSize) {
            for y in 0..<height {
                for k in 0..<row {
                    let here = start + y * row + k
                    if y + 1 < height { body(here, here + row) }
                    if k + channels < row { body(here, here + channels) }
                }
            }
        }
    }
}
