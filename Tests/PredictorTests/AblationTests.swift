import Cells
import Engine
import Layers
import Predictor
import Testing
import TestSupport

/// Every combination of the MotionRNN switches builds the right parameters and runs forward and
/// backward; all switches off is the plain backbone.
@Suite struct AblationTests {
    static let combinations: [MotionRNNOptions] = [false, true].flatMap { highway in
        [false, true].flatMap { transient in
            [false, true].map { MotionRNNOptions(highway: highway, transient: transient, trend: $0) }
        }
    }

    func model(_ options: MotionRNNOptions) -> VideoPredictor<PredRNNBackbone> {
        var random = RandomGenerator(seed: 21)
        let backbone = PredRNNBackbone(frameChannels: 4, hiddenChannels: [8, 8, 8], filterSize: 3,
                                       layerNormShape: nil, using: &random)
        return VideoPredictor(backbone: backbone, options: options, filterSize: 3, using: &random)
    }

    @Test(arguments: combinations)
    func runsForwardAndBackward(options: MotionRNNOptions) throws {
        let model = model(options)
        let names = model.namedParameters.map(\.name)
        #expect(names.contains("conv_first_v.weight") == options.highway)
        #expect(names.contains { $0.hasPrefix("motion_list.") } == options.usesMotionGRU)
        #expect(names.contains { $0.hasPrefix("motion_list.0.update.") } == options.usesMotionGRU)

        var random = TestRandom(seed: 4)
        let frames = Variable(random.tensor([2, 5, 8, 8, 4], 0, 1))
        let predictions = model(frames: frames, mask: nil, inputLength: 2)
        #expect(predictions.shape == [2, 4, 8, 8, 4])
        let loss = mseLoss(predictions, slice(frames, range: 1..<5, axis: 1))
        loss.backward()
        #expect(loss.value.scalar.isFinite)
        let backboneGradients = model.backbone.parameters.compactMap(\.grad)
        #expect(backboneGradients.count == model.backbone.parameters.count)
    }

    /// All three parts off, with the parameters of the official MotionRNN-PredRNN fixture, gives
    /// exactly what the PredRNN backbone computes alone.
    @Test func allPartsOffIsThePlainBackbone() throws {
        let fixture = try ReferenceTensors("motionrnn_predrnn_small")
        let off = model(.none)
        try off.loadParameters(from: fixture.tensors, source: "motionrnn_predrnn_small")
        let frames = Variable(try fixture.tensor("input.frames"))
        let predictions = withoutGradients { off(frames: frames, mask: nil, inputLength: 3) }

        // The same backbone driven by hand: layer by layer, no MotionRNN part anywhere.
        let backbone = off.backbone
        var state = backbone.initialState(batch: 2, height: 8, width: 8)
        let sequence = permute(frames, [0, 1, 4, 2, 3])
        var outputs: [Variable] = []
        withoutGradients {
            for t in 0..<5 {
                var input = t < 3 ? select(sequence, index: t, axis: 1) : outputs.last!
                input = backbone.layerZeroInput(frame: input, state: &state)
                for layer in 0..<3 { input = backbone.step(layer: layer, input: input, state: &state).hidden }
                outputs.append(backbone.frame(fromTopHidden: input))
            }
        }
        let expected = permute(stack(outputs, axis: 1), [0, 1, 3, 4, 2])
        #expect(predictions.value.maxAbsoluteDifference(to: expected.value) == 0)
    }
}
