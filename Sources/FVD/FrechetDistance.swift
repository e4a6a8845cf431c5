/// The Fréchet distance of two sets of embeddings in Float64 (SPEC §11.5):
/// |μ₁ − μ₂|² + tr Σ₁ + tr Σ₂ − 2·tr sqrt(Σ₁Σ₂), with unbiased covariances.
public enum FrechetDistance {
    public enum Method: Sendable {
        /// TF-GAN's rule: tr sqrt(Σ₁Σ₂) = Σ s′ over the singular values of S(Σ₁)·Σ₂·S(Σ₁), where
        /// S takes square roots of singular values ≥ 10⁻¹⁰ and keeps smaller ones. d×d
        /// eigendecompositions (d = embedding size).
        case reference
        /// tr sqrt(Σ₁Σ₂) = ‖A·Bᵀ‖_* / sqrt((n₁ − 1)(n₂ − 1)) with A, B the centred embeddings:
        /// exact without the 10⁻¹⁰ rule, n₁×n₂ sized, so cheaper when the sets are smaller than d.
        case nuclearNorm
    }

    /// Singular values below this keep their value instead of their square root (TF-GAN).
    static let sqrtThreshold = 1e-10

    /// The distance of row sets a [n₁, d] and b [n₂, d] (n ≥ 2 each). Without a method: the
    /// nuclear norm when both sets are smaller than d, else the reference rule.
    public static func distance(_ a: [[Double]], _ b: [[Double]], method: Method? = nil) -> Double {
        precondition(a.count >= 2 && b.count >= 2, "FrechetDistance: needs at least 2 rows per set")
        let d = a[0].count
        precondition((a + b).allSatisfy { $0.count == d }, "FrechetDistance: rows of different lengths")
        let (meanA, centredA) = centred(a), (meanB, centredB) = centred(b)
        var distance = 0.0
        for i in 0..<d { distance += (meanA[i] - meanB[i]) * (meanA[i] - meanB[i]) }
        let covarianceA = covariance(centredA, d), covarianceB = covariance(centredB, d)
        for i in 0..<d { distance += covarianceA[i * d + i] + covarianceB[i * d + i] }
        let chosen = method ?? (max(a.count, b.count) < d ? .nuclearNorm : .reference)
        switch chosen {
        case .reference:
            distance -= 2 * referenceTraceSqrt(covarianceA, covarianceB, d)
        case .nuclearNorm:
            distance -= 2 * nuclearNorm(centredA, centredB, d) / ((Double(a.count) - 1) * (Double(b.count) - 1)).squareRoot()
        }
        return distance
    }

    /// Mean and the rows minus it.
    static func centred(_ rows: [[Double]]) -> (mean: [Double], rows: [[Double]]) {
        let d = rows[0].count
        var mean = [Double](repeating: 0, count: d)
        for row in rows { for i in 0..<d { mean[i] += row[i] } }
        for i in 0..<d { mean[i] /= Double(rows.count) }
        return (mean, rows.map { row in (0..<d).map { row[$0] - mean[$0] } })
    }

    /// Σ = Xᵀ X / (n − 1) of centred rows, row-major d×d.
    static func covariance(_ rows: [[Double]], _ d: Int) -> [Double] {
        var sigma = [Double](repeating: 0, count: d * d)
        sigma.withUnsafeMutableBufferPointer { s in
            for row in rows {
                row.withUnsafeBufferPointer { r in
                    for i in 0..<d where r[i] != 0 {
                        let ri = r[i]
                        for j in i..<d { s[i * d + j] += ri * r[j] }
                    }
                }
            }
            let scale = 1 / Double(rows.count - 1)
            for i in 0..<d {
                for j in i..<d {
                    s[i * d + j] *= scale
                    s[j * d + i] = s[i * d + j]
                }
            }
        }
        return sigma
    }

    /// s′ of TF-GAN's matrix square root for one singular value.
    static func rootOfSingularValue(_ s: Double) -> Double { s >= sqrtThreshold ? s.squareRoot() : s }

    static func referenceTraceSqrt(_ sigmaA: [Double], _ sigmaB: [Double], _ d: Int) -> Double {
        // Σ₁ = V·diag(λ)·Vᵀ; its SVD has s = |λ| and U = V·sign(λ), so S(Σ₁) = V·diag(sign(λ)·s′)·Vᵀ.
        let (values, vectors) = SymmetricEigen.decompose(sigmaA, d)
        let roots = values.map { ($0 < 0 ? -1.0 : 1.0) * rootOfSingularValue(abs($0)) }
        var root = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in i..<d {
                var sum = 0.0
                for k in 0..<d { sum += vectors[i * d + k] * roots[k] * vectors[j * d + k] }
                root[i * d + j] = sum
                root[j * d + i] = sum
            }
        }
        // S(Σ₁)·Σ₂·S(Σ₁) is symmetric: its singular values are its eigenvalues' magnitudes.
        let product = SymmetricEigen.multiply(SymmetricEigen.multiply(root, sigmaB, d), root, d)
        var symmetric = product
        for i in 0..<d { for j in 0..<d { symmetric[i * d + j] = (product[i * d + j] + product[j * d + i]) / 2 } }
        return SymmetricEigen.decompose(symmetric, d, vectors: false).values.reduce(0) { $0 + rootOfSingularValue(abs($1)) }
    }

    /// ‖A·Bᵀ‖_*, the sum of the singular values of C = A·Bᵀ (n₁×n₂), by one-sided Jacobi:
    /// rotating pairs of C's columns until all are orthogonal leaves the singular values as the
    /// column norms, accurate even for the tiny ones (the centring makes one exactly zero),
    /// where the square roots of a Gram matrix's eigenvalues would turn rounding noise of 10⁻¹⁶
    /// into errors of 10⁻⁸.
    static func nuclearNorm(_ a: [[Double]], _ b: [[Double]], _ d: Int) -> Double {
        // Columns are the smaller set's: fewer pairs to rotate.
        let (long, short) = a.count >= b.count ? (a, b) : (b, a)
        let (m, k) = (long.count, short.count)
        var columns = [Double](repeating: 0, count: m * k)   // column j at j·m
        for j in 0..<k {
            for i in 0..<m {
                var sum = 0.0
                for e in 0..<d { sum += long[i][e] * short[j][e] }
                columns[j * m + i] = sum
            }
        }
        columns.withUnsafeMutableBufferPointer { g in
            for _ in 0..<60 {
                var rotated = false
                for p in 0..<k {
                    for q in (p + 1)..<max(k, p + 1) {
                        var alpha = 0.0, beta = 0.0, gamma = 0.0
                        for i in 0..<m {
                            let x = g[p * m + i], y = g[q * m + i]
                            alpha += x * x; beta += y * y; gamma += x * y
                        }
                        guard abs(gamma) > 1e-15 * (alpha * beta).squareRoot(), gamma != 0 else { continue }
                        rotated = true
                        let zeta = (beta - alpha) / (2 * gamma)
                        let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                        let c = 1 / (1 + t * t).squareRoot(), s = c * t
                        for i in 0..<m {
                            let x = g[p * m + i], y = g[q * m + i]
                            g[p * m + i] = c * x - s * y
                            g[q * m + i] = s * x + c * y
                        }
                    }
                }
                if !rotated { break }
            }
        }
        var total = 0.0
        for j in 0..<k {
            var norm = 0.0
            for i in 0..<m { norm += columns[j * m + i] * columns[j * m + i] }
            total += norm.squareRoot()
        }
        return total
    }
}
