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
