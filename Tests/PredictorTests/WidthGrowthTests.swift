import Engine
import Layers
import Predictor
import Testing

/// `WidthGrowth`: a model trained with 8 channels per layer, grown to 12, must predict what it
/// predicted before, and its new channels must be able to learn (the basis of `train
/// --init-from MODEL --hidden 12,12,12`).
@Suite struct WidthGrowthTests {
    func configuration(_ backbone: ModelConfiguration.BackboneKind, motion: MotionRNNOptions, width: Int,
                       layerNorm: Bool = false) -> ModelConfiguration {
        ModelConfiguration(backbone: backbone, motion: motion, imageHeight: 16, imageWidth: 16,
                           imageChannels: 1, patchSize: 2, hiddenChannels: [width, width, width], filterSize: 3,
                           layerNorm: layerNorm, inputLength: 3, totalLength: 6)
    }

    /// The trained model at width 8 and the same architecture at 12, its parameters grown.
    func grownPair(_ backbone: ModelConfiguration.BackboneKind, motion: MotionRNNOptions) throws
        -> (trained: any SequencePredictor, grown: any SequencePredictor)
    {
        let trained = try ModelFactory.make(configuration(backbone, motion: motion, width: 8), seed: 1)
        let grown = try ModelFactory.make(configuration(backbone, motion: motion, width: 12), seed: 2)
        let describing = try #require(grown as? any ChannelLayoutDescribing)
        try grown.loadParameters(from: WidthGrowth.grown(trained.stateDictionary(), width: 8, toFit: describing,
                                                         newWidth: 12), source: "test")
        return (trained, grown)
    }

    static let growable: [(ModelConfiguration.BackboneKind, MotionRNNOptions)] = [
        (.predrnn, .none), (.predrnn, .full), (.convlstm, .none), (.convlstm, .full),
        (.predrnn, MotionRNNOptions(highway: false, transient: true, trend: true)), (.predrnnv2, .full),
    ]

    @Test(arguments: 0..<growable.count)
    func grownModelPredictsTheSame(_ index: Int) throws {
        let (backbone, motion) = Self.growable[index]
        var random = RandomGenerator(seed: 5)
        let frames = Variable(Tensor.uniform(shape: [2, 6, 8, 8, 4], low: 0, high: 1, using: &random))
        let (trained, grown) = try grownPair(backbone, motion: motion)
        let before = trained.predict(frames: frames, mask: nil, inputLength: 3).value
        let after = grown.predict(frames: frames, mask: nil, inputLength: 3).value
        // The new channels add exact zeros (equal here; a kernel may order its sums differently).
        #expect(after.relativeError(to: before) < 1e-6, "\(backbone) \(motion)")
        // … and the grown model is not the trained one padded with zeros everywhere: the new
        // channels compute something, so the weights out of them get gradients.
        let loss = mseLoss(grown.predict(frames: frames, mask: nil, inputLength: 3),
                           Variable(Tensor(zeros: after.shape)))
        grown.zeroGradients()
        loss.backward()
        let output = try #require(grown.namedParameters.first { $0.name == "conv_last.weight" }?.parameter)
        let newColumns = try #require(output.grad).scalars.enumerated().filter { $0.offset % 12 >= 8 }.map(\.element)
        #expect(newColumns.contains { abs($0) > 1e-7 }, "\(backbone) \(motion): no gradient into the new channels")
    }

    @Test func trainedWeightsKeepTheirGateAndNewInputsIntoThemAreZero() throws {
        // conv_h of a PredRNN layer: [4 gates × N, N, 3, 3]; gate g's trained output o moves to g·12 + o.
        let (trained, grown) = try grownPair(.predrnn, motion: .none)
        let name = "cell_list.1.conv_h.0.weight"
        let old = try #require(trained.stateDictionary()[name]), new = try #require(grown.stateDictionary()[name])
        #expect(new.shape == [48, 12, 3, 3])
        let value = { (t: Tensor, o: Int, i: Int, inputs: Int) in t.scalars[(o * inputs + i) * 9 + 4] }
        for gate in 0..<4 {
            for o in [0, 7] {
                #expect(value(new, gate * 12 + o, 3, 12) == value(old, gate * 8 + o, 3, 8))
                #expect(value(new, gate * 12 + o, 10, 12) == 0)        // a new input into a trained output
            }
            #expect(value(new, gate * 12 + 10, 10, 12) != 0)           // new into new: freshly drawn
        }
    }

    @Test func whatCannotGrowIsNamed() throws {
        // Layer norm normalises across the channels, so growing them changes every old one.
        let trained = try ModelFactory.make(configuration(.predrnn, motion: .none, width: 8, layerNorm: true), seed: 1)
        let grown = try ModelFactory.make(configuration(.predrnn, motion: .none, width: 12, layerNorm: true), seed: 2)
        let describing = try #require(grown as? any ChannelLayoutDescribing)
        #expect(throws: WidthGrowthError.self) {
            try WidthGrowth.grown(trained.stateDictionary(), width: 8, toFit: describing, newWidth: 12)
        }
        // Backbones whose channels have no layout (MIM, E3D-LSTM, TrajGRU, Conv-TT-LSTM).
        for backbone in [ModelConfiguration.BackboneKind.mim, .e3dlstm, .trajgru, .convttlstm] {
            let model = try ModelFactory.make(configuration(backbone, motion: .none, width: 8), seed: 1)
            #expect(!(model is any ChannelLayoutDescribing), "\(backbone)")
        }
    }

    @Test func blocksMapTrainedIndicesAndMarkNewOnes() throws {
        let indices = try WidthGrowth.sourceIndices([.fixed(2), .width, .quarterWidth], width: 4, newWidth: 8,
                                                    sizes: (7, 12), name: "x")
        #expect(indices == [0, 1, 2, 3, 4, 5, nil, nil, nil, nil, 6, nil])
        #expect(throws: WidthGrowthError.self) {
            try WidthGrowth.sourceIndices([.width], width: 4, newWidth: 8, sizes: (5, 8), name: "x")
        }
    }
}
