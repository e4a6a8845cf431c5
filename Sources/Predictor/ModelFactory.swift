import Cells
import Engine
import Layers

/// Builds models from a `ModelConfiguration`: one case per backbone, each wrapped by
/// `VideoPredictor` with the configuration's MotionRNN options.
public enum ModelFactory {
    /// A validated, freshly initialised model (PyTorch default initialisation drawn from `seed`).
    public static func make(_ configuration: ModelConfiguration, seed: UInt64) throws -> any SequencePredictor {
        try configuration.validate()
        let build = builder(for: configuration.backbone)
        var random = RandomGenerator(seed: seed)
        return build(configuration, &random)
    }

    private typealias Builder = (ModelConfiguration, inout RandomGenerator) -> any SequencePredictor

    /// The one place that knows the backbone types.
    private static func builder(for backbone: ModelConfiguration.BackboneKind) -> Builder {
        switch backbone {
        case .predrnn:
            return { c, random in
                wrap(PredRNNBackbone(frameChannels: c.frameChannels, hiddenChannels: c.hiddenChannels,
                                     filterSize: c.filterSize, layerNormShape: layerNormShape(c),
                                     using: &random), c, &random)
            }
        case .predrnnv2:
            return { c, random in
                wrap(PredRNNBackbone(frameChannels: c.frameChannels, hiddenChannels: c.hiddenChannels,
                                     filterSize: c.filterSize, layerNormShape: layerNormShape(c),
                                     decouplingWeight: Float(c.effectiveDecouplingWeight), using: &random), c, &random)
            }
        case .convlstm:
            return { c, random in
                wrap(ConvLSTMBackbone(frameChannels: c.frameChannels, hiddenChannels: c.hiddenChannels,
                                      filterSize: c.filterSize, layerNormShape: layerNormShape(c),
                                      using: &random), c, &random)
            }
        case .mim:
            return { c, random in
                wrap(MIMBackbone(frameChannels: c.frameChannels, hiddenChannels: c.hiddenChannels,
                                 filterSize: c.filterSize, height: c.patchHeight, width: c.patchWidth,
                                 using: &random), c, &random)
            }
        case .e3dlstm:
            return { c, random in
                wrap(E3DLSTMBackbone(frameChannels: c.frameChannels, hiddenChannels: c.hiddenChannels,
                                     height: c.patchHeight, width: c.patchWidth, filterSize: c.filterSize,
                                     passesNewGlobalMemory: !(c.openSTLGlobalMemoryDefect ?? false),
                                     recallRows: c.e3dRecall ?? .openstl, using: &random), c, &random)
            }
        case .trajgru:
            return { c, random in
                wrap(TrajGRUBackbone(frameChannels: c.frameChannels, hiddenChannels: c.hiddenChannels,
                                     options: c.trajGRU ?? TrajGRUOptions(), using: &random), c, &random)
            }
        case .convttlstm:
            return { c, random in
                wrap(ConvTTLSTMBackbone(frameChannels: c.frameChannels, hiddenChannels: c.hiddenChannels,
                                        options: c.convTTLSTM ?? ConvTTLSTMOptions(), filterSize: c.filterSize,
                                        using: &random), c, &random)
            }
        }
    }

    /// The backbone inside the MotionRNN framework with the configuration's options.
    private static func wrap<B: Backbone>(_ backbone: B, _ c: ModelConfiguration,
                                          _ random: inout RandomGenerator) -> any SequencePredictor {
        VideoPredictor(backbone: backbone, options: c.motion, filterSize: c.filterSize, using: &random)
    }

    /// The patch-space size the layer-norm variant normalises over, when it is on.
    private static func layerNormShape(_ c: ModelConfiguration) -> (height: Int, width: Int)? {
        c.layerNorm ? (c.patchHeight, c.patchWidth) : nil
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
