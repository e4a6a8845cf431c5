import Engine
import Foundation
@testable import FVD
import Testing
import TestSupport

/// I3D's building blocks on small sizes against direct loops written from SPEC §11.2.
@Suite struct I3DUnitTests {
    /// relu((conv_SAME(x, w) − mean)/sqrt(var + 0.001) + beta), one output at a time.
    static func unit(_ x: Tensor, _ w: Tensor, beta: [Float], mean: [Float], variance: [Float],
                     stride s: [Int]) -> Tensor {
        let size = Array(x.shape[2...]), k = Array(w.shape[2...])
        let (channels, outputs) = (x.shape[1], w.shape[0])
        let out = (0..<3).map { (size[$0] + s[$0] - 1) / s[$0] }
        let before = (0..<3).map { (axis: Int) -> Int in
            let total: Int = (out[axis] - 1) * s[axis] + k[axis] - size[axis]
            return max(total, 0) / 2
        }
        var values: [Float] = []
        for b in 0..<x.shape[0] { for o in 0..<outputs {
            for z in 0..<out[0] { for y in 0..<out[1] { for v in 0..<out[2] {
                var sum: Float = 0
                for c in 0..<channels { for a in 0..<k[0] { for i in 0..<k[1] { for j in 0..<k[2] {
                    let iz: Int = z * s[0] - before[0] + a
                    let iy: Int = y * s[1] - before[1] + i
                    let ix: Int = v * s[2] - before[2] + j
                    guard iz >= 0, iz < size[0], iy >= 0, iy < size[1], ix >= 0, ix < size[2] else { continue }
                    sum += w[o, c, a, i, j] * x[b, c, iz, iy, ix]
                } } } }
                values.append(max((sum - mean[o]) / (variance[o] + 0.001).squareRoot() + beta[o], 0))
            } } }
        } }
        return Tensor(shape: [x.shape[0], outputs] + out, scalars: values)
    }

    /// A weights file holding one unit `u` (conv weight and BN statistics).
    static func weights(_ w: Tensor, beta: [Float], mean: [Float], variance: [Float]) throws -> I3DWeights {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("i3d-unit-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let m = w.shape[0]
        try SafetensorsFile.write(["u.conv.weight": w, "u.bn.beta": Tensor(shape: [m], scalars: beta),
                                   "u.bn.moving_mean": Tensor(shape: [m], scalars: mean),
                                   "u.bn.moving_variance": Tensor(shape: [m], scalars: variance)], to: url)
        return try I3DWeights(file: SafetensorsFile.read(from: url))
    }

    @Test(arguments: [
        // (input [B, C, T, H, W], kernel, stride): conv 1a's asymmetric (2, 3) pads at stride 2,
        // odd sizes, a 3×3×3 stride-1 unit (symmetric pads: the im2col's own) and a 1×1×1 unit.
        ([2, 3, 6, 9, 8], 7, [2, 2, 2]),
        ([1, 2, 5, 7, 6], 3, [2, 2, 2]),
        ([2, 3, 4, 5, 6], 3, [1, 1, 1]),
        ([1, 16, 3, 7, 9], 3, [1, 1, 1]),
        ([2, 16, 5, 7, 7], 3, [1, 1, 1]),
        ([2, 16, 3, 7, 7], 3, [1, 1, 1]),
        ([2, 17, 5, 14, 14], 3, [1, 1, 1]),
        ([2, 4, 3, 4, 5], 1, [1, 1, 1]),
    ])
    func unitMatchesDirectLoops(shape: [Int], kernel: Int, stride: [Int]) throws {
        var random = TestRandom(seed: UInt64(shape.reduce(0, +) * 31 + kernel))
        let outputs = 5
        let x = random.tensor(shape)
        let w = random.tensor([outputs, shape[1], kernel, kernel, kernel], -0.3, 0.3)
        let beta = (0..<outputs).map { _ in random.uniform(-0.5, 0.5) }
        let mean = (0..<outputs).map { _ in random.uniform(-0.2, 0.2) }
        let variance = (0..<outputs).map { _ in random.uniform(0.01, 2) }
        let unit = try Self.weights(w, beta: beta, mean: mean, variance: variance)
            .unit("u", stride: (stride[0], stride[1], stride[2]), inputs: shape[1], outputs: outputs, kernel: kernel)
        let expected = Self.unit(x, w, beta: beta, mean: mean, variance: variance, stride: stride)
        // Both paths: 3×3×3 stride-1 units run on Winograd by default, on the direct one otherwise.
        for ours in [unit.apply(x), unit.apply(x, winograd: false)] {
            #expect(ours.shape == expected.shape)
            let scale = expected.scalars.map(abs).max()!
            let error = zip(ours.scalars, expected.scalars).map { abs($0 - $1) }.max()!
            #expect(error <= 1e-5 * scale, "max |Δ| \(error) of max \(scale)")
        }
        #expect(unit.runsOnWinograd == (kernel == 3 && stride == [1, 1, 1]))
        #expect(expected.scalars.contains(0))   // ReLU did clip something
    }

    @Test func stackedUnitsEqualTheSeparateOnes() throws {
        var random = TestRandom(seed: 5)
        let x = random.tensor([2, 3, 2, 4, 4])
        let parts = try (0..<3).map { index in
            let count = 2 + index
            let beta: [Float] = Array([0.1, -0.2, 0.3, 0][..<count])
            return try Self.weights(random.tensor([count, 3, 1, 1, 1]), beta: beta,
                                    mean: Array(repeating: 0.05, count: count), variance: Array(repeating: 0.5, count: count))
                .unit("u", inputs: 3, outputs: 2 + index, kernel: 1)
        }
        let stacked = I3DUnit.stacked(parts).apply(x)
        let separate = Concatenation.apply(parts.map { $0.apply(x) }, axis: 1)
        #expect(stacked.shape == [2, 9, 2, 4, 4])
        #expect(stacked.scalars == separate.scalars)
    }

    @Test func costMatchesSpec() {
        // SPEC §11.2: 27.8 G multiply-adds at 16 frames (55.6 GFLOPs), 69.7 GFLOPs at 20.
        #expect(abs(Double(I3D.multiplyAdds(frames: 16)) / 1e9 - 27.8) < 0.05)
        #expect(abs(2 * Double(I3D.multiplyAdds(frames: 20)) / 1e9 - 69.7) < 0.05)
    }

    @Test func missingWeightsSayHowToGetThem() {
        let path = "/nonexistent/i3d.safetensors"
        #expect(throws: FVDError.weightsMissing(path: path)) { try I3DWeights(contentsOf: URL(fileURLWithPath: path)) }
        #expect(FVDError.weightsMissing(path: path).description.contains("scripts/setup.sh"))
    }

    @Test func aTruncatedFileIsRefusedByName() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("i3d-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafetensorsFile.write(["Conv3d_1a_7x7.conv.weight": Tensor(zeros: [64, 3, 7, 7, 7])], to: url)
        do {
            _ = try I3DWeights(contentsOf: url)
            Issue.record("expected an error")
        } catch let error as FVDError {
            #expect(error.description.contains(url.path) && error.description.contains("setup.sh"))
        }
    }
}
