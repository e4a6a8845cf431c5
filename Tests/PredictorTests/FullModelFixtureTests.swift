import Cells
import Engine
import Foundation
import Layers
import Predictor
import Testing
import TestSupport

/// Whole models against the official PyTorch code (`../shared/fixtures/*_small`): the predicted
/// frames, the MSE loss and the gradient of every parameter, each within
/// max|ours − ref| / max|ref| ≤ 1e-4.
@Suite struct FullModelFixtureTests {
    static let tolerance = 1e-4

    func verify<B: Backbone>(_ fixtureName: String, _ model: VideoPredictor<B>) throws {
        let fixture = try ReferenceTensors(fixtureName)
        try model.loadParameters(from: fixture.tensors, source: fixtureName)
        let frames = Variable(try fixture.tensor("input.frames"))
        let mask = Variable(try fixture.tensor("input.mask_true"))
        let predictions = model(frames: frames, mask: mask, inputLength: 3)
        let target = slice(frames, range: 1..<frames.shape[1], axis: 1)
        let loss = mseLoss(predictions, target)

        var errors: [(String, Double)] = []
        errors.append(("output.next_frames", predictions.value.relativeError(to: try fixture.tensor("output.next_frames"))))
        errors.append(("output.loss", loss.value.reshaped([1]).relativeError(to: try fixture.tensor("output.loss"))))
        loss.backward()
        for (name, parameter) in model.namedParameters {
            let gradient = parameter.grad ?? Tensor(zeros: parameter.shape)
            errors.append(("grad.\(name)", gradient.relativeError(to: try fixture.tensor("grad.\(name)"))))
        }
        for (name, error) in errors {
            #expect(error <= Self.tolerance, "\(fixtureName) \(name): relative error \(error)")
        }
        let worst = errors.max { $0.1 < $1.1 }!
        print("\(fixtureName): \(errors.count) tensors, worst relative error \(worst.1) (\(worst.0))")
    }

    func predRNN(layerNorm: Bool, options: MotionRNNOptions) -> VideoPredictor<PredRNNBackbone> {
        var random = RandomGenerator(seed: 3)
        let backbone = PredRNNBackbone(frameChannels: 4, hiddenChannels: [8, 8, 8], filterSize: 3,
                                       layerNormShape: layerNorm ? (8, 8) : nil, using: &random)
        return VideoPredictor(backbone: backbone, options: options, filterSize: 3, using: &random)
    }

    @Test func motionRNNPredRNNMatchesOfficialModel() throws {
        try verify("motionrnn_predrnn_small", predRNN(layerNorm: false, options: .full))
    }

    @Test func motionRNNPredRNNWithLayerNormMatchesOfficialModel() throws {
        try verify("motionrnn_predrnn_small_ln", predRNN(layerNorm: true, options: .full))
    }

    @Test func plainPredRNNMatchesOfficialModel() throws {
        try verify("predrnn_small", predRNN(layerNorm: false, options: .none))
    }
}
