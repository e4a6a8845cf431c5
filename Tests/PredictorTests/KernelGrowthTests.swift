import Cells
import Engine
import Layers
import Predictor
import Testing

/// `KernelGrowth`: a model trained with filter 3, its kernels zero-padded to 5 × 5, must predict
/// what it predicted before (the basis of `train --init-from MODEL --filter-size 5`).
@Suite struct KernelGrowthTests {
    func configuration(_ backbone: ModelConfiguration.BackboneKind, motion: MotionRNNOptions,
                       filterSize: Int) -> ModelConfiguration {
        ModelConfiguration(backbone: backbone, motion: motion, imageHeight: 16, imageWidth: 16,
                           imageChannels: 1, patchSize: 2, hiddenChannels: [8, 8, 8], filterSize: filterSize,
                           inputLength: 3, totalLength: 6)
    }

    @Test(arguments: ModelConfiguration.BackboneKind.allCases)
    func grownModelPredictsTheSame(_ backbone: ModelConfiguration.BackboneKind) throws {
        var random = RandomGenerator(seed: 5)
        let frames = Variable(Tensor.uniform(shape: [2, 6, 8, 8, 4], low: 0, high: 1, using: &random))
        let motions: [MotionRNNOptions] = backbone == .trajgru
            ? [.none, MotionRNNOptions(highway: false, transient: true, trend: true)] : [.none, .full]
        for motion in motions {
            let trained = try ModelFactory.make(configuration(backbone, motion: motion, filterSize: 3), seed: 1)
            let grown = try ModelFactory.make(configuration(backbone, motion: motion, filterSize: 5), seed: 2)
            try grown.loadParameters(from: KernelGrowth.grown(trained.stateDictionary(), toFit: grown), source: "test")
            let before = trained.predict(frames: frames, mask: nil, inputLength: 3).value
            let after = grown.predict(frames: frames, mask: nil, inputLength: 3).value
            // Only the order of the sums differs: float rounding.
            #expect(after.relativeError(to: before) < 1e-5, "\(backbone) \(motion)")
        }
    }

    /// The baselines' own kernels (TrajGRU's i2h and flow generator, Conv-TT-LSTM's cell) grow
    /// the same way: every one of those convolutions pads its input by k/2.
    @Test func baselineKernelsGrowToo() throws {
        var random = RandomGenerator(seed: 5)
        let frames = Variable(Tensor.uniform(shape: [2, 6, 8, 8, 4], low: 0, high: 1, using: &random))
        var trained = configuration(.trajgru, motion: .none, filterSize: 3), grown = trained
        trained.trajGRU = TrajGRUOptions(links: [3], inputKernel: 3, flowChannels: 4, flowKernel: 3)
        grown.trajGRU = TrajGRUOptions(links: [3], inputKernel: 5, flowChannels: 4, flowKernel: 5)
        var trainedTT = configuration(.convttlstm, motion: .full, filterSize: 3), grownTT = trainedTT
        trainedTT.convTTLSTM = ConvTTLSTMOptions(order: 2, steps: 2, ranks: 4, kernelSize: 3)
        grownTT.convTTLSTM = ConvTTLSTMOptions(order: 2, steps: 2, ranks: 4, kernelSize: 5)
        for (small, large) in [(trained, grown), (trainedTT, grownTT)] {
            let model = try ModelFactory.make(small, seed: 1), wider = try ModelFactory.make(large, seed: 2)
            try wider.loadParameters(from: KernelGrowth.grown(model.stateDictionary(), toFit: wider), source: "test")
            let before = model.predict(frames: frames, mask: nil, inputLength: 3).value
            let after = wider.predict(frames: frames, mask: nil, inputLength: 3).value
            #expect(after.relativeError(to: before) < 1e-5, "\(small.backbone)")
        }
    }

    @Test func padsOnlyGrownKernels() {
        #expect(KernelGrowth.isGrownKernel(from: [4, 2, 3, 3], to: [4, 2, 5, 5]))
        #expect(KernelGrowth.isGrownKernel(from: [4, 2, 2, 3, 3], to: [4, 2, 2, 7, 7]))
        #expect(!KernelGrowth.isGrownKernel(from: [4, 2, 5, 5], to: [4, 2, 3, 3]))      // shrinking
        #expect(!KernelGrowth.isGrownKernel(from: [4, 2, 3, 3], to: [8, 2, 5, 5]))      // other channels
        #expect(!KernelGrowth.isGrownKernel(from: [4, 2, 4, 4], to: [4, 2, 6, 6]))      // even
        #expect(KernelGrowth.isGrownKernel(from: [4, 2, 3, 3, 1], to: [4, 2, 5, 5, 1]))  // Conv-TT-LSTM
        #expect(!KernelGrowth.isGrownKernel(from: [4, 2, 2, 3, 3], to: [4, 2, 3, 5, 5])) // an even size
        #expect(!KernelGrowth.isGrownKernel(from: [4, 4], to: [6, 6]))
    }

    @Test func kernelSitsInTheMiddleOfZeros() {
        let kernel = Tensor(shape: [1, 2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])
        let padded = KernelGrowth.centrePadded(kernel, to: [1, 2, 3, 5])
        #expect(padded.scalars == [0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0,
                                   0, 0, 0, 0, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0])
    }

    @Test func otherMismatchesAreLeftForLoadingToReport() throws {
        let model = try ModelFactory.make(configuration(.predrnn, motion: .none, filterSize: 5), seed: 1)
        var tensors = model.stateDictionary()
        let name = model.namedParameters[0].name
        tensors[name] = Tensor(zeros: [1, 1, 3, 3])
        #expect(KernelGrowth.grown(tensors, toFit: model)[name]?.shape == [1, 1, 3, 3])
    }
}
