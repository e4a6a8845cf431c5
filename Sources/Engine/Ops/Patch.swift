/// Space-to-depth patching of channels-last frames (SPEC §1).
///
/// `[…, H, W, C] → […, H/p, W/p, p·p·C]`: pixel (y, x, c) with y = i·p + ph, x = j·p + pw goes to
/// cell (i, j), channel (ph·p + pw)·C + c. Viewed as `[n, h, p, w, p, C]` that is just swapping
/// the two middle axes, so both directions are one permutation (its own inverse).
public enum Patching {
    public static func patchify(_ t: Tensor, patchSize p: Int) -> Tensor {
        let (lead, h, w, c) = dimensions("patchify", t.shape, patchSize: p)
        let view = t.reshaped([lead, h, p, w, p, c])
        return Permute.apply(view, axes: [0, 1, 3, 2, 4, 5])
            .reshaped(Array(t.shape.dropLast(3)) + [h, w, p * p * c])
    }

    public static func unpatchify(_ t: Tensor, patchSize p: Int) -> Tensor {
        precondition(p > 0 && t.rank >= 3 && t.shape[t.rank - 1] % (p * p) == 0,
                     "unpatchify: shape \(t.shape) needs rank ≥ 3 and channels divisible by p·p = \(p * p)")
        let h = t.shape[t.rank - 3], w = t.shape[t.rank - 2], c = t.shape[t.rank - 1] / (p * p)
        let lead = t.shape.dropLast(3).reduce(1, *)
        let view = t.reshaped([lead, h, w, p, p, c])
        return Permute.apply(view, axes: [0, 1, 3, 2, 4, 5])
            .reshaped(Array(t.shape.dropLast(3)) + [h * p, w * p, c])
    }

    /// (product of leading dims, H/p, W/p, C), checking divisibility.
    private static func dimensions(_ op: String, _ shape: [Int], patchSize p: Int)
        -> (lead: Int, h: Int, w: Int, c: Int) {
        precondition(p > 0 && shape.count >= 3,
                     "\(op): shape \(shape) must be [..., H, W, C] with patch size p > 0 (got p = \(p))")
        let height = shape[shape.count - 3], width = shape[shape.count - 2]
        precondition(height % p == 0 && width % p == 0,
                     "\(op): frame size \(height)×\(width) of shape \(shape) is not divisible by patch size \(p)")
        return (shape.dropLast(3).reduce(1, *), height / p, width / p, shape[shape.count - 1])
    }
}

/// `[B, T, H, W, C] → [B, T, H/p, W/p, p·p·C]` (any leading dims), differentiable.
public func patchify(_ frames: Variable, patchSize p: Int) -> Variable {
    let value = Patching.patchify(frames.value, patchSize: p)
    return Variable.record(value, inputs: [frames]) { grad, nodes in
        let framesNode = nodes[0]
        guard framesNode.requiresGrad else { return }
        framesNode.accumulateGrad(fresh: Patching.unpatchify(grad, patchSize: p))
    }
}

/// The exact inverse of `patchify`: `[B, T, h, w, p·p·C] → [B, T, h·p, w·p, C]`.
public func unpatchify(_ patches: Variable, patchSize p: Int) -> Variable {
    let value = Patching.unpatchify(patches.value, patchSize: p)
    return Variable.record(value, inputs: [patches]) { grad, nodes in
        let patchesNode = nodes[0]
        guard patchesNode.requiresGrad else { return }
        patchesNode.accumulateGrad(fresh: Patching.patchify(grad, patchSize: p))
    }
}
