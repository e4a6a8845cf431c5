import Cells
import Engine
import Layers

/// Builds models from a `ModelConfiguration`: one case per backbone, each wrapped by
/// `VideoPredictor` with the configuration's MotionRNN options.
public enum ModelFactory {
    /// A validated, freshly initialised model (PyTorch default initialisation drawn from `seed`).
    public static func make(_ configuration: ModelConfiguration, seed: UInt64) throws -> any SequencePredictor {
        try configuration.validate()
        guard let build = builder(for: configuration.backbone) else {
            throw ModelConfigurationError.unavailable(configuration.backbone)
        }
        var random = RandomGenerator(seed: seed)
        return build(configuration, &random)
    }

    /// Whether this build can make models with `backbone`.
    public static func isAvailable(_ backbone: ModelConfiguration.BackboneKind) -> Bool {
        builder(for: backbone) != nil
    }

    private typealias Builder = (ModelConfiguration, inout RandomGenerator) -> any SequencePredictor

    /// The one place that knows the backbone types; nil for backbones not in this build.
    private static func builder(for backbone: ModelConfiguration.BackboneKind) -> Builder? {
        switch backbone {
        case .predrnn:
            return { configuration, random in
                let predRNN = PredRNNBackbone(
                    frameChannels: configuration.frameChannels,
                    hiddenChannels: configuration.hiddenChannels,
                    filterSize: configuration.filterSize,
                    layerNormShape: configuration.layerNorm
                        ? (configuration.patchHeight, configuration.patchWidth) : nil,
                    using: &random)
                return VideoPredictor(backbone: predRNN, options: configuration.motion,
                                      filterSize: configuration.filterSize, using: &random)
            }
        case .convlstm:
            return { configuration, random in
                let convLSTM = ConvLSTMBackbone(
                    frameChannels: configuration.frameChannels,
                    hiddenChannels: configuration.hiddenChannels,
                    filterSize: configuration.filterSize,
                    layerNormShape: configuration.layerNorm
                        ? (configuration.patchHeight, configuration.patchWidth) : nil,
                    using: &random)
                return VideoPredictor(backbone: convLSTM, options: configuration.motion,
                                      filterSize: configuration.filterSize, using: &random)
            }
        case .mim:
            return { configuration, random in
                let mim = MIMBackbone(
                    frameChannels: configuration.frameChannels,
                    hiddenChannels: configuration.hiddenChannels,
                    filterSize: configuration.filterSize,
                    height: configuration.patchHeight, width: configuration.patchWidth,
                    using: &random)
                return VideoPredictor(backbone: mim, options: configuration.motion,
                                      filterSize: configuration.filterSize, using: &random)
            }
        case .e3dlstm:
            return { configuration, random in
                let e3d = E3DLSTMBackbone(
                    frameChannels: configuration.frameChannels,
                    hiddenChannels: configuration.hiddenChannels,
                    height: configuration.patchHeight, width: configuration.patchWidth,
                    filterSize: configuration.filterSize,
                    passesNewGlobalMemory: !(configuration.openSTLGlobalMemoryDefect ?? false),
                    using: &random)
                return VideoPredictor(backbone: e3d, options: configuration.motion,
                                      filterSize: configuration.filterSize, using: &random)
            }
        }
    }
}

/// Size and cost of a model: what `motionrnn info` reports and the paper's Table 2 compares.
public struct ModelComplexity: Sendable {
    public let configuration: ModelConfiguration
    public let parameterCount: Int
    /// Multiply-adds of one forward pass over one sequence (batch 1, `totalLength` frames,
    /// `totalLength − 1` recurrent steps), counted by `OperationCounter` (convolutions and
    /// matrix products only).
    public let multiplyAdds: Int

    /// Recurrent steps of one forward pass: each consumes a frame and predicts the next.
    public var steps: Int { configuration.totalLength - 1 }
    public var multiplyAddsPerStep: Double { Double(multiplyAdds) / Double(steps) }

    /// Builds the model and runs one inference forward on a zero sequence, counting products.
    public static func measure(_ configuration: ModelConfiguration) throws -> ModelComplexity {
        let model = try ModelFactory.make(configuration, seed: 1)
        let frames = Variable(Tensor(zeros: [1, configuration.totalLength, configuration.patchHeight,
                                             configuration.patchWidth, configuration.frameChannels]))
        let (_, multiplyAdds) = withoutGradients {
            OperationCounter.count {
                model.predict(frames: frames, mask: nil, inputLength: configuration.inputLength)
            }
        }
        return ModelComplexity(configuration: configuration, parameterCount: model.parameterCount,
                               multiplyAdds: multiplyAdds)
    }
}
