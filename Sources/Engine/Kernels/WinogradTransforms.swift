import CKernels
import Foundation

/// The matrices of the Winograd minimal filtering algorithm F(m×m, r×r) (Lavin & Gray 2016): an
/// m×m block of a stride-1 correlation with an r×r kernel is
///
///     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
///
/// for the (m+r−1)² input tile d, with n = m+r−1 element-wise products per tile instead of the
/// m²·r² multiply-adds of the direct sum. The matrices come from Toom-Cook: evaluate at n−1
/// finite points and infinity, multiply, interpolate. They are built here in Double, so any
/// (m, r) works; the convolution picks the tile size per kernel size (see `WinogradConvolution`).
struct WinogradTransforms: Sendable {
    let outputTile: Int   // m
    let kernelSize: Int   // r
    var tile: Int { outputTile + kernelSize - 1 }   // n

    /// Aᵀ [m × n]: tile products → output block.
    let outputTransform: SandwichTransform
    /// A [n × m]: output-block gradient → tile-product gradient (adjoint of `outputTransform`).
    let outputAdjoint: SandwichTransform
    /// G [n × r]: kernel → transformed kernel.
    let kernelTransform: SandwichTransform
    /// G·J [n × r] (columns reversed): the kernel rotated by 180° → transformed kernel, for the
    /// input gradient, which correlates with the rotated kernel.
    let rotatedKernelTransform: SandwichTransform
    /// Gᵀ [r × n]: transformed-kernel gradient → kernel gradient.
    let kernelAdjoint: SandwichTransform
    /// Bᵀ [n × n]: input tile → transformed tile.
    let inputTransform: SandwichTransform

    /// Finite interpolation points; F(m, r) takes the first m + r − 2. Small magnitudes keep the
    /// matrices' entries (and the rounding they amplify) small; mixing 2 with −1/2 rather than
    /// ±2 cut the float32 error of F(2×2, 5×5) 3× (simulated against float64 with 64 channels:
    /// 1.6e-6 of the largest output, the direct sum 3e-7).
    private static let points: [Double] = [0, 1, -1, 2, -0.5, -2, 0.5, 3, -3, 1.0 / 3, -1.0 / 3]

    init(outputTile m: Int, kernelSize r: Int) {
        let n = m + r - 1
        precondition(m >= 1 && r >= 1 && n - 1 <= Self.points.count, "Winograd F(\(m), \(r)) not supported")
        outputTile = m
        kernelSize = r
        let a = Array(Self.points.prefix(n - 1))
        // Vandermonde rows at the finite points, the "infinity" row picking the leading coefficient.
        func vandermonde(columns: Int) -> [[Double]] {
            a.map { point in (0..<columns).map { pow(point, Double($0)) } }
                + [(0..<columns).map { $0 == columns - 1 ? 1 : 0 }]
        }
        // Lagrange denominators f_j = Π_{l≠j} (a_j − a_l); the infinity row has none.
        let denominators = a.indices.map { j in a.indices.reduce(1.0) { $1 == j ? $0 : $0 * (a[j] - a[$1]) } } + [1]
        // Bᵀ row j: coefficients of Π_{l≠j} (x − a_l); the last row those of Π_l (x − a_l).
        func product(skipping skipped: Int?) -> [Double] {
            var coefficients = [1.0]
            for (l, point) in a.enumerated() where l != skipped {
                var next = [Double](repeating: 0, count: coefficients.count + 1)
                for (power, c) in coefficients.enumerated() {
                    next[power + 1] += c
                    next[power] -= c * point
                }
                coefficients = next
            }
            return coefficients + [Double](repeating: 0, count: n - coefficients.count)
        }
        let bT = a.indices.map { product(skipping: $0) } + [product(skipping: nil)]
        let vandermondeOutput = vandermonde(columns: m)                       // A [n × m]
        let g = zip(vandermonde(columns: r), denominators).map { row, f in row.map { $0 / f } }   // G [n × r]
        func transposed(_ matrix: [[Double]]) -> [[Double]] {
            (0..<matrix[0].count).map { column in matrix.map { $0[column] } }
        }
        outputTransform = SandwichTransform(transposed(vandermondeOutput))
        outputAdjoint = SandwichTransform(vandermondeOutput)
        kernelTransform = SandwichTransform(g)
        rotatedKernelTransform = SandwichTransform(g.map { Array($0.reversed()) })
        kernelAdjoint = SandwichTransform(transposed(g))
        inputTransform = SandwichTransform(bT)
    }

    /// The instance for (m, r): the ones the convolutions use are built once, others on each call.
    static func shared(outputTile m: Int, kernelSize r: Int) -> WinogradTransforms {
        switch (m, r) {
        case (2, 3): return f2x3
        case (2, 5): return f2x5
        default: return WinogradTransforms(outputTile: m, kernelSize: r)
        }
    }
    private static let f2x3 = WinogradTransforms(outputTile: 2, kernelSize: 3)
    private static let f2x5 = WinogradTransforms(outputTile: 2, kernelSize: 5)
}

/// X ↦ T X Tᵀ for a small matrix T [q × p], applied to many p×p matrices at once: element (i, j)
/// of all of them is one vector of floats, so each step runs along the vectors (C kernel
/// `mrnn_sandwich`, AVX2 + FMA where the CPU has them).
struct SandwichTransform: Sendable {
    let rows: Int      // q
    let columns: Int   // p
    private let matrix: [Float]   // T row-major

    init(_ matrix: [[Double]]) {
        rows = matrix.count
        columns = matrix[0].count
        precondition(rows <= MRNN_SANDWICH_MAX && columns <= MRNN_SANDWICH_MAX, "transform \(rows)×\(columns) too large")
        self.matrix = matrix.flatMap { $0.map(Float.init) }
    }

    /// out(a, b)[l] = Σ_{i,j} T[a][i]·T[b][j]·in(i, j)[l] for l < count, where vector in(i, j)
    /// starts at `input + inputOffsets[i·p + j]` and out(a, b) at `output + outputOffsets[a·q + b]`.
    func apply(_ input: UnsafePointer<Float>, inputOffsets: UnsafePointer<Int>,
               into output: UnsafeMutablePointer<Float>, outputOffsets: UnsafePointer<Int>, count: Int) {
        matrix.withUnsafeBufferPointer {
            mrnn_sandwich($0.baseAddress, Int32(rows), Int32(columns), input, inputOffsets, output, outputOffsets, count)
        }
    }

    /// `apply` on `runs` groups of `count` lanes in one C call: run g reads from
    /// `input + inputStarts[g]` and writes from `output + outputStarts[g]` (same offsets).
    func apply(_ input: UnsafePointer<Float>, inputOffsets: UnsafePointer<Int>, inputStarts: UnsafePointer<Int>,
               into output: UnsafeMutablePointer<Float>, outputOffsets: UnsafePointer<Int>,
               outputStarts: UnsafePointer<Int>, runs: Int, count: Int) {
        matrix.withUnsafeBufferPointer {
            mrnn_sandwich_runs($0.baseAddress, Int32(rows), Int32(columns), input, inputOffsets, inputStarts,
                               output, outputOffsets, outputStarts, runs, count)
        }
    }

    /// Whether the C kernel has a version compiled for exactly this matrix (zero terms and ±1
    /// multiplies folded away; the input and output transforms of F(2×2, 3×3) and F(2×2, 5×5)).
    var isSpecialised: Bool {
        matrix.withUnsafeBufferPointer { mrnn_sandwich_is_specialised($0.baseAddress, Int32(rows), Int32(columns)) == 1 }
    }

    /// The matrix T row-major.
    var entries: [Float] { matrix }

    /// `apply` to `count` p×p matrices stored one after another (a weight [pairs, r, r]), the
    /// output vectors `outputStride` floats apart.
    func apply(matrices input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>,
               outputStride: Int, count: Int) {
        let outputOffsets = (0..<(rows * rows)).map { $0 * outputStride }
        matrix.withUnsafeBufferPointer {
            mrnn_sandwich_matrices($0.baseAddress, Int32(rows), Int32(columns), input, output, outputOffsets, count)
        }
    }

    /// `apply` with the vectors `inputStride` and `outputStride` floats apart.
    func apply(_ input: UnsafePointer<Float>, inputStride: Int, into output: UnsafeMutablePointer<Float>,
               outputStride: Int, count: Int) {
        let inputOffsets = (0..<(columns * columns)).map { $0 * inputStride }
        let outputOffsets = (0..<(rows * rows)).map { $0 * outputStride }
        apply(input, inputOffsets: inputOffsets, into: output, outputOffsets: outputOffsets, count: count)
    }
}
