/// Eigenvalues (and eigenvectors) of a real symmetric matrix by cyclic Jacobi rotations, in
/// Float64: slow (O(d³) per sweep, about 10 sweeps) but simple and accurate to rounding, which
/// is what the Fréchet distance of a few hundred dimensions needs.
enum SymmetricEigen {
    /// Row-major symmetric d×d `matrix` → eigenvalues and, when `vectors`, the eigenvectors as
    /// the columns of a row-major d×d matrix (matrix = V·diag(values)·Vᵀ).
    static func decompose(_ matrix: [Double], _ d: Int, vectors wantVectors: Bool = true)
        -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: wantVectors ? d * d : 0)
        for i in 0..<(wantVectors ? d : 0) { v[i * d + i] = 1 }
        a.withUnsafeMutableBufferPointer { a in
            v.withUnsafeMutableBufferPointer { v in
                var total = 0.0
                for i in 0..<(d * d) { total += a[i] * a[i] }
                for _ in 0..<100 {
                    var off = 0.0
                    for i in 0..<d { for j in (i + 1)..<max(d, i + 1) { off += a[i * d + j] * a[i * d + j] } }
                    // Converged when the off-diagonal part is at rounding level of the whole.
                    if off <= 1e-32 * total || off == 0 { break }
                    for p in 0..<d {
                        for q in (p + 1)..<max(d, p + 1) where a[p * d + q] != 0 {
                            rotate(a, v, d, p, q, vectors: wantVectors)
                        }
                    }
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
    }

    /// One Jacobi rotation zeroing a[p, q] (and a[q, p]).
    @inline(__always)
    private static func rotate(_ a: UnsafeMutableBufferPointer<Double>, _ v: UnsafeMutableBufferPointer<Double>,
                               _ d: Int, _ p: Int, _ q: Int, vectors: Bool) {
        let apq = a[p * d + q]
        let theta = (a[q * d + q] - a[p * d + p]) / (2 * apq)
        // The smaller rotation angle: t = tan φ with |φ| ≤ π/4.
        let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        let c = 1 / (t * t + 1).squareRoot(), s = t * c
        for k in 0..<d {   // columns p and q
            let akp = a[k * d + p], akq = a[k * d + q]
            a[k * d + p] = c * akp - s * akq
            a[k * d + q] = s * akp + c * akq
        }
        for k in 0..<d {   // rows p and q
            let apk = a[p * d + k], aqk = a[q * d + k]
            a[p * d + k] = c * apk - s * aqk
            a[q * d + k] = s * apk + c * aqk
        }
        a[p * d + q] = 0
        a[q * d + p] = 0
        if vectors {
            for k in 0..<d {
                let vkp = v[k * d + p], vkq = v[k * d + q]
                v[k * d + p] = c * vkp - s * vkq
                v[k * d + q] = s * vkp + c * vkq
            }
        }
    }

    /// Row-major d×d product.
    static func multiply(_ x: [Double], _ y: [Double], _ d: Int) -> [Double] {
        var out = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for k in 0..<d where x[i * d + k] != 0 {
                let xik = x[i * d + k]
                for j in 0..<d { out[i * d + j] += xik * y[k * d + j] }
            }
        }
        return out
    }
}
