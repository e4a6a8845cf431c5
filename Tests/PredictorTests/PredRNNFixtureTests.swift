import Cells
import Engine
import Layers
import Predictor
import Testing
import TestSupport

/// MotionRNN-PredRNN and PredRNN against the official PyTorch code (`../shared/fixtures`).
@Suite struct PredRNNFixtureTests {
    func predRNN(layerNorm: Bool, options: MotionRNNOptions) -> VideoPredictor<PredRNNBackbone> {
        var random = RandomGenerator(seed: 3)
        let backbone = PredRNNBackbone(frameChannels: 4, hiddenChannels: [8, 8, 8], filterSize: 3,
                                       layerNormShape: layerNorm ? (8, 8) : nil, using: &random)
        return VideoPredictor(backbone: backbone, options: options, filterSize: 3, using: &random)
    }

    @Test func motionRNNPredRNNMatchesOfficialModel() throws {
        try verifyFullModel("motionrnn_predrnn_small", predRNN(layerNorm: false, options: .full))
    }

    @Test func motionRNNPredRNNWithLayerNormMatchesOfficialModel() throws {
        try verifyFullModel("motionrnn_predrnn_small_ln", predRNN(layerNorm: true, options: .full))
    }

    @Test func plainPredRNNMatchesOfficialModel() throws {
        try verifyFullModel("predrnn_small", predRNN(layerNorm: false, options: .none))
    }

    /// The fixtures' convolutions are too narrow for the engine to pick Winograd by itself
    /// (8 channels); forced, every 3×3 stride-1 convolution takes it and the model still matches.
    @Test(arguments: [Convolution.Algorithm.winograd, .im2col])
    func matchesOfficialModelsWithEitherConvolution(algorithm: Convolution.Algorithm) throws {
        try Convolution.$algorithmOverride.withValue(algorithm) {
            try verifyFullModel("motionrnn_predrnn_small", predRNN(layerNorm: false, options: .full))
            try verifyFullModel("motionrnn_predrnn_small_ln", predRNN(layerNorm: true, options: .full))
            try verifyFullModel("predrnn_small", predRNN(layerNorm: false, options: .none))
        }
    }

    @Test func motionRNNPredRNNTrains() {
        var random = RandomGenerator(seed: 5)
        let backbone = PredRNNBackbone(frameChannels: 4, hiddenChannels: [8, 8], filterSize: 3,
                                       layerNormShape: nil, using: &random)
        let model = VideoPredictor(backbone: backbone, options: .full, filterSize: 3, using: &random)
        expectTrains(model, frames: movingSquares(count: 2, length: 6, size: 8, channels: 4),
                     inputLength: 3, steps: 30, factor: 0.5)
    }
}
