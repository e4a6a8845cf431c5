import Engine
import Foundation
import Testing
import TestSupport
@testable import Training

/// `--loss mse+gdl`: the gradient difference term is taken on the frames, not on the patches the
/// model sees, so training (patches) and validation (frames) compute the same loss.
@Suite struct GradientDifferenceTrainingTests {
    @Test func lossIsTakenOnTheFramesWhateverThePatchSize() {
        var random = TestRandom(seed: 51)
        let (prediction, truth) = (random.tensor([2, 3, 8, 8, 1], 0, 1), random.tensor([2, 3, 8, 8, 1], 0, 1))
        var configuration = tinyTraining(iterations: 1)
        configuration.loss = .mseGDL
        configuration.gdlWeight = 0.5
        let onFrames = Trainer.loss(configuration, patchSize: 1)(Variable(prediction), Variable(truth)).value.scalar
        let expected = mseLoss(Variable(prediction), Variable(truth)).value.scalar
            + 0.5 * gradientDifferenceLoss(Variable(prediction), Variable(truth)).value.scalar
        #expect(abs(onFrames - expected) <= 1e-6 * expected)
        let onPatches = Trainer.loss(configuration, patchSize: 4)(
            Variable(Patching.patchify(prediction, patchSize: 4)), Variable(Patching.patchify(truth, patchSize: 4))).value.scalar
        #expect(abs(onPatches - onFrames) <= 1e-6 * onFrames)
        // Taken on the patches instead, the term would differ (the check above can fail).
        let onPatchLayout = gradientDifferenceLoss(Variable(Patching.patchify(prediction, patchSize: 4)),
                                                   Variable(Patching.patchify(truth, patchSize: 4))).value.scalar
        #expect(abs(onPatchLayout - gradientDifferenceLoss(Variable(prediction), Variable(truth)).value.scalar) > 1e-3)
    }

    @Test func aRunTrainsWithItAndItsWeightIsCheckedAndKept() throws {
        var configuration = tinyTraining(iterations: 3)
        configuration.loss = .mseGDL
        configuration.gdlWeight = 2
        let trainer = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5), progress: silent())
        let history = try trainer.run()
        #expect(history.training.count == 3 && history.training.allSatisfy { $0.isFinite && $0 > 0 })
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONEncoder().encode(configuration))
        #expect(decoded.gdlWeight == 2 && decoded.loss == .mseGDL)
        // Runs saved before the term existed decode with weight 1 (unused by their losses).
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as? [String: Any])
        object["gdlWeight"] = nil
        let old = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.gdlWeight == 1)
        for weight in [0, -1, .nan, .infinity] {
            configuration.gdlWeight = weight
            #expect { try configuration.validate() } throws: { "\($0)".contains("gdlWeight") }
        }
    }
}
