import Engine
import Foundation

/// The Inception-v1 I3D of TF-Hub's `i3d-kinetics-400` (SPEC §11.2), inference only, on
/// [B, 3, T, 224, 224] clips with values in [−1, 1]: 400 Kinetics logits per logit step.
/// Every unit's BN is folded into its convolution at load time.
public struct I3D: Sendable {
    /// Below 9 frames the time axis is gone before the 2×7×7 logits pool.
    public static let minimumFrames = 9
    /// Frames are resized to this square; the final 7×7 pool needs exactly it.
    public static let frameSize = 224
    public static let classes = 400

    enum Layer {
        case unit(String, I3DUnit)
        case maxPool(String, kernel: (Int, Int, Int), stride: (Int, Int, Int))
        case mixed(String, MixedBlock)
    }

    let layers: [Layer]
    let logitsWeight: Tensor, logitsBias: Tensor

    public init(weights: I3DWeights) throws {
        // Mixed blocks: (c0 … c5) as in SPEC §11.2's table.
        let blocks: [(String, [Int])] = [
            ("Mixed_3b", [64, 96, 128, 16, 32, 32]), ("Mixed_3c", [128, 128, 192, 32, 96, 64]),
            ("Mixed_4b", [192, 96, 208, 16, 48, 64]), ("Mixed_4c", [160, 112, 224, 24, 64, 64]),
            ("Mixed_4d", [128, 128, 256, 24, 64, 64]), ("Mixed_4e", [112, 144, 288, 32, 64, 64]),
            ("Mixed_4f", [256, 160, 320, 32, 128, 128]), ("Mixed_5b", [256, 160, 320, 32, 128, 128]),
            ("Mixed_5c", [384, 192, 384, 48, 128, 128]),
        ]
        var channels = 192
        var mixed: [String: Layer] = [:]
        for (name, c) in blocks {
            mixed[name] = .mixed(name, try MixedBlock(weights, name, inputs: channels, c))
            channels = c[0] + c[2] + c[4] + c[5]
        }
        layers = [
            .unit("Conv3d_1a_7x7", try weights.unit("Conv3d_1a_7x7", stride: (2, 2, 2), inputs: 3, outputs: 64, kernel: 7)),
            .maxPool("MaxPool3d_2a_3x3", kernel: (1, 3, 3), stride: (1, 2, 2)),
            .unit("Conv3d_2b_1x1", try weights.unit("Conv3d_2b_1x1", inputs: 64, outputs: 64, kernel: 1)),
            .unit("Conv3d_2c_3x3", try weights.unit("Conv3d_2c_3x3", inputs: 64, outputs: 192, kernel: 3)),
            .maxPool("MaxPool3d_3a_3x3", kernel: (1, 3, 3), stride: (1, 2, 2)),
            mixed["Mixed_3b"]!, mixed["Mixed_3c"]!,
            .maxPool("MaxPool3d_4a_3x3", kernel: (3, 3, 3), stride: (2, 2, 2)),
            mixed["Mixed_4b"]!, mixed["Mixed_4c"]!, mixed["Mixed_4d"]!, mixed["Mixed_4e"]!, mixed["Mixed_4f"]!,
            .maxPool("MaxPool3d_5a_2x2", kernel: (2, 2, 2), stride: (2, 2, 2)),
            mixed["Mixed_5b"]!, mixed["Mixed_5c"]!,
        ]
        (logitsWeight, logitsBias) = try weights.logits()
    }

    /// Logits per step [B, T′, 400] of clips [B, 3, T, 224, 224] (T ≥ 9), T′ = ceil(T/8) − 1.
    /// `observe` sees every endpoint's output [B, C, t, h, w] (for tracing a mismatch).
    public func logitSteps(_ clips: Tensor, observe: ((String, Tensor) -> Void)? = nil) -> Tensor {
        precondition(clips.rank == 5 && clips.shape[1] == 3 && clips.shape[2] >= Self.minimumFrames
                        && clips.shape[3] == Self.frameSize && clips.shape[4] == Self.frameSize,
                     "I3D: clips \(clips.shape) are not [B, 3, T ≥ 9, 224, 224]")
        var x = clips
        for layer in layers {
            switch layer {
            case let .unit(name, unit):
                x = unit.apply(x)
                observe?(name, x)
            case let .maxPool(name, kernel, stride):
                x = Pooling3d.apply(.max, x, kernel: kernel, stride: stride,
                                    pads: SamePadding.amounts(shape: x.shape, kernel: kernel, stride: stride))
                observe?(name, x)
            case let .mixed(name, block):
                x = block.apply(x)
                observe?(name, x)
            }
        }
        return logits(x)
    }

    /// The embedding (SPEC §11 step 3): the logits averaged over the steps, [B, 400].
    public func embeddings(_ clips: Tensor) -> Tensor {
        Self.meanOverSteps(logitSteps(clips))
    }

    /// [B, T′, 400] → [B, 400].
    public static func meanOverSteps(_ steps: Tensor) -> Tensor {
        let (batch, count, classes) = (steps.shape[0], steps.shape[1], steps.shape[2])
        var out = Tensor(zeros: [batch, classes])
        out.withUnsafeMutableBufferPointer { mean in
            for item in 0..<batch {
                for step in 0..<count {
                    for c in 0..<classes { mean[item * classes + c] += steps[item, step, c] }
                }
                for c in 0..<classes { mean[item * classes + c] /= Float(count) }
            }
        }
        return out
    }

    /// Average pool 2×7×7 VALID, then the 1×1×1 convolution 1024 → 400 with bias, per step.
    private func logits(_ x: Tensor) -> Tensor {
        let pooled = Pooling3d.apply(.average, x, kernel: (2, 7, 7), stride: (1, 1, 1))
        let (batch, steps) = (pooled.shape[0], pooled.shape[2])
        precondition(pooled.shape[3] == 1 && pooled.shape[4] == 1, "I3D: final feature map \(x.shape) is not 7×7")
        return Tensor(shape: [batch, steps, Self.classes]) { out in
            for item in 0..<batch {
                // [T′, 400] = pooledᵀ[T′, 1024] · Wᵀ, plus the bias.
                BLAS.gemm(transposeA: true, transposeB: true, m: steps, n: Self.classes, k: 1024,
                          a: pooled.pointer + item * 1024 * steps, lda: steps, b: logitsWeight.pointer, ldb: 1024,
                          c: out.baseAddress! + item * steps * Self.classes, ldc: Self.classes)
                for step in 0..<steps {
                    for c in 0..<Self.classes { out[(item * steps + step) * Self.classes + c] += logitsBias.pointer[c] }
                }
            }
        }
    }

    /// Multiply-adds of the convolutions for one clip of `frames` frames (the cost printed).
    public static func multiplyAdds(frames: Int) -> Int {
        var total = 0
        var t = frames, s = frameSize
        func conv(_ inputs: Int, _ outputs: Int, _ k: Int) { total += t * s * s * outputs * inputs * k * k * k }
        t = (t + 1) / 2; s = s / 2
        conv(3, 64, 7)
        s /= 2
        conv(64, 64, 1); conv(64, 192, 3)
        s /= 2
        var channels = 192
        func mixed(_ c: [Int]) {
            conv(channels, c[0] + c[1] + c[3], 1); conv(c[1], c[2], 3); conv(c[3], c[4], 3); conv(channels, c[5], 1)
            channels = c[0] + c[2] + c[4] + c[5]
        }
        mixed([64, 96, 128, 16, 32, 32]); mixed([128, 128, 192, 32, 96, 64])
        t = (t + 1) / 2; s /= 2
        for c in [[192, 96, 208, 16, 48, 64], [160, 112, 224, 24, 64, 64], [128, 128, 256, 24, 64, 64],
                  [112, 144, 288, 32, 64, 64], [256, 160, 320, 32, 128, 128]] { mixed(c) }
        t = (t + 1) / 2; s /= 2
        mixed([256, 160, 320, 32, 128, 128]); mixed([384, 192, 384, 48, 128, 128])
        return total + (t - 1) * 1024 * classes
    }
}

extension I3DUnit {
    /// Conv (TF SAME padding) + folded BN + ReLU on x [B, Cin, T, H, W]. `winograd: false`
    /// keeps the 3×3×3 units on the direct path (tests compare the two).
    func apply(_ x: Tensor, winograd: Bool = true) -> Tensor {
        if winograd && runsOnWinograd { return applyByTemporalTaps(x) }
        guard kernel == (1, 1, 1) && stride == (1, 1, 1) else {
            // SAME pads are often asymmetric: a zero-padded copy, then a valid convolution
            // whose columns are built a cache-sized chunk at a time.
            let pads = SamePadding.amounts(shape: x.shape, kernel: kernel, stride: stride)
            return ChunkedConvolution.forward(SamePadding.pad(x, pads, value: 0), weight: weight, bias: bias,
                                              stride: stride, relu: true)
        }
        // Pointwise: the input is its own column matrix, one GEMM per video.
        let geometry = ConvGeometry(op: "I3D", batch: x.shape[0], channels: x.shape[1],
                                    input: (x.shape[2], x.shape[3], x.shape[4]), kernel: kernel,
                                    stride: stride, padding: (0, 0, 0))
        var y = Convolution.forward(x, weight: weight, bias: bias, geometry: geometry, algorithm: .im2col)
        y.withUnsafeMutableBufferPointer { values in   // y is fresh: rectified in place, no copy
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let values = values
            Parallel.forRanges(values.count, minimumPerTask: 1 << 16) { range in
                for i in range { values[i] = max(values[i], 0) }
            }
        }
        return y
    }
}

/// Four branches on one input, concatenated over channels: 1×1×1 (c0); 1×1×1 (c1) → 3×3×3 (c2);
/// 1×1×1 (c3) → 3×3×3 (c4); 3×3×3 max pool → 1×1×1 (c5).
struct MixedBlock {
    /// Branch 0's unit and the first units of branches 1 and 2, stacked (they share the input).
    let heads: I3DUnit
    let headChannels: [Int]
    let branch1: I3DUnit, branch2: I3DUnit, branch3: I3DUnit

    init(_ weights: I3DWeights, _ name: String, inputs: Int, _ c: [Int]) throws {
        heads = I3DUnit.stacked([
            try weights.unit("\(name).Branch_0.Conv3d_0a_1x1", inputs: inputs, outputs: c[0], kernel: 1),
            try weights.unit("\(name).Branch_1.Conv3d_0a_1x1", inputs: inputs, outputs: c[1], kernel: 1),
            try weights.unit("\(name).Branch_2.Conv3d_0a_1x1", inputs: inputs, outputs: c[3], kernel: 1),
        ])
        headChannels = [c[0], c[1], c[3]]
        branch1 = try weights.unit("\(name).Branch_1.Conv3d_0b_3x3", inputs: c[1], outputs: c[2], kernel: 3)
        branch2 = try weights.unit("\(name).Branch_2.Conv3d_0b_3x3", inputs: c[3], outputs: c[4], kernel: 3)
        branch3 = try weights.unit("\(name).Branch_3.Conv3d_0b_1x1", inputs: inputs, outputs: c[5], kernel: 1)
    }

    func apply(_ x: Tensor) -> Tensor {
        let heads = heads.apply(x)
        let b0 = Concatenation.slice(heads, start: 0, length: headChannels[0], axis: 1)
        let b1 = branch1.apply(Concatenation.slice(heads, start: headChannels[0], length: headChannels[1], axis: 1))
        let b2 = branch2.apply(Concatenation.slice(heads, start: headChannels[0] + headChannels[1],
                                                   length: headChannels[2], axis: 1))
        let pooled = Pooling3d.apply(.max, x, kernel: (3, 3, 3), stride: (1, 1, 1),
                                     pads: [(1, 1), (1, 1), (1, 1)])
        return Concatenation.apply([b0, b1, b2, branch3.apply(pooled)], axis: 1)
    }
}
