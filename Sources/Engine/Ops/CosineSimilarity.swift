/// The mean over rows of |cos(a_r, b_r)|, rows along the last axis of `a` and `b` (same shape),
/// as a rank-0 Variable: PredRNN-v2's memory decoupling loss, which pushes the increments of the
/// two memories (C and M) apart. cos = a·b / (max(|a|, ε)·max(|b|, ε)) with ε = 10⁻¹², as
/// PyTorch's `cosine_similarity(normalize(a), normalize(b))` computes it for rows that are not
/// all zero. The slope of |·| at 0 is 0. Sums are accumulated in Double.
public func meanAbsoluteCosineSimilarity(_ a: Variable, _ b: Variable) -> Variable {
    Shape.check("meanAbsoluteCosineSimilarity", b.shape, equals: a.shape, "b shape")
    precondition(!a.shape.isEmpty && a.value.count > 0, "meanAbsoluteCosineSimilarity: empty input of shape \(a.shape)")
    let length = a.shape[a.shape.count - 1], rows = a.value.count / length
    let x = a.value, y = b.value
    let epsilon = 1e-12
    // Per row: the clamped norms and the cosine.
    var norms = [(a: Double, b: Double, cosine: Double)](repeating: (0, 0, 0), count: rows)
    var total = 0.0
    for row in 0..<rows {
        var dot = 0.0, aa = 0.0, bb = 0.0
        for i in (row * length)..<((row + 1) * length) {
            let (p, q) = (Double(x.pointer[i]), Double(y.pointer[i]))
            dot += p * q; aa += p * p; bb += q * q
        }
        let (na, nb) = (Swift.max(aa.squareRoot(), epsilon), Swift.max(bb.squareRoot(), epsilon))
        norms[row] = (na, nb, dot / (na * nb))
        total += Swift.abs(norms[row].cosine)
    }
    let value = Tensor(Float(total / Double(rows)))
    return Variable.record(value, inputs: [a, b]) { grad, nodes in
        let scale = Double(grad.scalar) / Double(rows)
        // d cos/d a = b/(|a||b|) − cos·a/|a|² where |a| > ε (the clamped norm is constant below).
        func gradient(of own: Tensor, other: Tensor, ownIsA: Bool) -> Tensor {
            var out = Tensor(zeros: own.shape)
            out.withUnsafeMutableBufferPointer { out in
                for row in 0..<rows {
                    let cosine = norms[row].cosine
                    guard cosine != 0 else { continue }
                    let (mine, theirs) = ownIsA ? (norms[row].a, norms[row].b) : (norms[row].b, norms[row].a)
                    let radial = mine > epsilon ? cosine / (mine * mine) : 0
                    let slope = (cosine > 0 ? scale : -scale)
                    for i in (row * length)..<((row + 1) * length) {
                        let d = Double(other.pointer[i]) / (mine * theirs) - radial * Double(own.pointer[i])
                        out[i] = Float(slope * d)
                    }
                }
            }
            return out
        }
        if nodes[0].requiresGrad { nodes[0].accumulateGrad(fresh: gradient(of: x, other: y, ownIsA: true)) }
        if nodes[1].requiresGrad { nodes[1].accumulateGrad(fresh: gradient(of: y, other: x, ownIsA: false)) }
    }
}
