import Engine
import Foundation
import Predictor
import Testing

/// PredRNN-v2 (its fixture is checked in VerifyReferenceTests): the same predictions as PredRNN
/// with the same cells, a decoupling loss that reaches the adapter and the cells, and β checked.
@Suite struct PredRNNv2Tests {
    func small(_ backbone: ModelConfiguration.BackboneKind, motion: MotionRNNOptions = .none) -> ModelConfiguration {
        ModelConfiguration(backbone: backbone, motion: motion, imageHeight: 16, imageWidth: 16,
                           imageChannels: 1, patchSize: 2, hiddenChannels: [8, 8], filterSize: 3,
                           inputLength: 3, totalLength: 6)
    }

    let frames = Variable(Tensor(shape: [2, 6, 8, 8, 4], scalars: (0..<(2 * 6 * 256)).map { Float($0 % 13) / 13 }))

    @Test func predictsWhatPredRNNDoesAndAddsTheDecouplingLoss() throws {
        // The same seed draws the same cells; the adapter comes after them.
        let v1 = try ModelFactory.make(small(.predrnn), seed: 3)
        let v2 = try ModelFactory.make(small(.predrnnv2), seed: 3)
        #expect(v2.namedParameters.map(\.name) == v1.namedParameters.map(\.name) + ["adapter.weight"])
        let (p1, a1) = v1.predictWithAuxiliaryLoss(frames: frames, mask: nil, inputLength: 3)
        let (p2, a2) = v2.predictWithAuxiliaryLoss(frames: frames, mask: nil, inputLength: 3)
        #expect(p1.value.scalars == p2.value.scalars)
        #expect(a1 == nil)
        // Prediction alone (inference, validation) skips the decoupling work: PredRNN's cost.
        let costs = [v1, v2].map { model in
            withoutGradients { OperationCounter.count { model.predict(frames: frames, mask: nil, inputLength: 3) } }.1
        }
        #expect(costs[0] == costs[1] && costs[0] > 0)
        let auxiliary = try #require(a2)
        // β × a mean of |cos| ∈ [0, 1].
        #expect(auxiliary.value.scalar > 0 && auxiliary.value.scalar <= 0.1)
        auxiliary.backward()
        for (name, parameter) in v2.namedParameters where !name.hasPrefix("conv_last") {
            let gradient = parameter.grad?.scalars ?? []
            #expect(gradient.contains { $0 != 0 }, "\(name) gets no gradient from the decoupling loss")
        }
    }

    @Test func betaScalesTheTermAndIsChecked() throws {
        var configuration = small(.predrnnv2)
        configuration.decouplingWeight = 0.3
        let heavier = try ModelFactory.make(configuration, seed: 3)
        let official = try ModelFactory.make(small(.predrnnv2), seed: 3)
        let a = withoutGradients { heavier.predictWithAuxiliaryLoss(frames: frames, mask: nil, inputLength: 3).auxiliaryLoss!.value.scalar }
        let b = withoutGradients { official.predictWithAuxiliaryLoss(frames: frames, mask: nil, inputLength: 3).auxiliaryLoss!.value.scalar }
        #expect(abs(a - 3 * b) <= 1e-6 * a)

        for (backbone, weight, text) in [(ModelConfiguration.BackboneKind.predrnn, 0.1, "has none"),
                                         (.predrnnv2, -1, "non-negative"), (.predrnnv2, .nan, "non-negative")] {
            var bad = small(backbone)
            bad.decouplingWeight = weight
            #expect { try bad.validate() } throws: { error in
                let error = error as? ModelConfigurationError
                return error?.field == "decouplingWeight" && error?.message.contains(text) == true
            }
        }
        var unequal = small(.predrnnv2)
        unequal.hiddenChannels = [8, 4]
        #expect { try unequal.validate() } throws: { "\($0)".contains("PredRNN-v2's zig-zag memory needs equal layer widths") }
    }

    /// MotionRNN wraps PredRNN-v2 as it does PredRNN.
    @Test func motionRNNWrapsIt() throws {
        let model = try ModelFactory.make(small(.predrnnv2, motion: .full), seed: 1)
        #expect(model.namedParameters.contains { $0.name == "adapter.weight" })
        #expect(model.namedParameters.contains { $0.name.hasPrefix("motion_list.") })
        let (predictions, auxiliary) = model.predictWithAuxiliaryLoss(frames: frames, mask: nil, inputLength: 3)
        #expect(predictions.shape == [2, 5, 8, 8, 4] && auxiliary != nil)
    }
}
