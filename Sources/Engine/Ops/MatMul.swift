/// Matrix products through OpenBLAS: [M,K]×[K,N] and batched [Bt,M,K]×[Bt,K,N].
///
/// `transposeA`/`transposeB` read a stored operand transposed (A stored [K,M], B stored [N,K]),
/// without copying. With C = op(A)·op(B) and G = dL/dC the backward products are
///   d op(A) = G·op(B)ᵀ,  d op(B) = op(A)ᵀ·G,
/// each written straight into the stored layout of A and B with one gemm per batch entry.
public func matmul(_ a: Variable, _ b: Variable,
                   transposeA: Bool = false, transposeB: Bool = false) -> Variable {
    let dims = MatMulDims(a.shape, b.shape, transposeA: transposeA, transposeB: transposeB)
    let (m, n, k) = (dims.m, dims.n, dims.k)
    OperationCounter.record(multiplyAdds: dims.batch * m * n * k)
    // With an empty dimension gemm writes nothing (or scales garbage by 0): start from zeros.
    let empty = m == 0 || n == 0 || k == 0
    func allocate(_ shape: [Int]) -> Tensor {
        empty ? Tensor(zeros: shape) : Tensor(uninitializedShape: shape)
    }
    let out = allocate(dims.batched ? [dims.batch, m, n] : [m, n])
    let av = a.value, bv = b.value
    // Leading dimensions of the stored operands.
    let lda = transposeA ? m : k, ldb = transposeB ? k : n
    for batch in 0..<dims.batch {
        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                  a: av.pointer + batch * m * k, lda: lda,
                  b: bv.pointer + batch * k * n, ldb: ldb,
                  c: out.mutablePointer + batch * m * n, ldc: n)
    }
    return Variable.record(out, inputs: [a, b]) { grad, nodes in
        let aNode = nodes[0]
        let bNode = nodes[1]
        let g = grad.pointer
        if aNode.requiresGrad {
            let ga = allocate(av.shape)
            for batch in 0..<dims.batch {
                let gb = g + batch * m * n, bb = bv.pointer + batch * k * n
                let dst = ga.mutablePointer + batch * m * k
                if transposeA {
                    // A stored [K,M]: dA = (G·op(B)ᵀ)ᵀ = op(B)·Gᵀ.
                    BLAS.gemm(transposeA: transposeB, transposeB: true, m: k, n: m, k: n,
                              a: bb, lda: ldb, b: gb, ldb: n, c: dst, ldc: m)
                } else {
                    // A stored [M,K]: dA = G·op(B)ᵀ.
                    BLAS.gemm(transposeA: false, transposeB: !transposeB, m: m, n: k, k: n,
                              a: gb, lda: n, b: bb, ldb: ldb, c: dst, ldc: k)
                }
            }
            aNode.accumulateGrad(fresh: ga)
        }
        if bNode.requiresGrad {
            let gbT = allocate(bv.shape)
            for batch in 0..<dims.batch {
                let gb = g + batch * m * n, ab = av.pointer + batch * m * k
                let dst = gbT.mutablePointer + batch * k * n
                if transposeB {
                    // B stored [N,K]: dB = (op(A)ᵀ·G)ᵀ = Gᵀ·op(A).
                    BLAS.gemm(transposeA: true, transposeB: transposeA, m: n, n: k, k: m,
                              a: gb, lda: n, b: ab, ldb: lda, c: dst, ldc: k)
                } else {
                    // B stored [K,N]: dB = op(A)ᵀ·G.
                    BLAS.gemm(transposeA: !transposeA, transposeB: false, m: k, n: n, k: m,
                              a: ab, lda: lda, b: gb, ldb: n, c: dst, ldc: n)
                }
            }
            bNode.accumulateGrad(fresh: gbT)
        }
    }
}

/// The sizes of a (batched) product, checked.
private struct MatMulDims {
    let batch, m, n, k: Int
    let batched: Bool

    init(_ a: [Int], _ b: [Int], transposeA: Bool, transposeB: Bool) {
        precondition((a.count == 2 && b.count == 2) || (a.count == 3 && b.count == 3),
                     "matmul: needs two rank-2 or two rank-3 operands, got \(a) and \(b)")
        batched = a.count == 3
        if batched {
            precondition(a[0] == b[0], "matmul: batch sizes differ in \(a) and \(b)")
        }
        batch = batched ? a[0] : 1
        let a2 = a.suffix(2), b2 = b.suffix(2)
        let (am, ak) = transposeA ? (a2.last!, a2.first!) : (a2.first!, a2.last!)
        let (bk, bn) = transposeB ? (b2.last!, b2.first!) : (b2.first!, b2.last!)
        precondition(ak == bk,
                     "matmul: inner dimensions differ: \(a)\(transposeA ? "ᵀ" : "") × \(b)\(transposeB ? "ᵀ" : "")")
        (m, n, k) = (am, bn, ak)
    }
}
