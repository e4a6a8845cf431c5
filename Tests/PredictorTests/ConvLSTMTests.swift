import Cells
import Engine
import Foundation
import Layers
import Predictor
import Testing
import TestSupport

/// ConvLSTM (OpenSTL) and MotionRNN-ConvLSTM: fixture parity, the cell's gradients, training.
@Suite struct ConvLSTMTests {
    func convLSTM(hiddenChannels: [Int] = [8, 8, 8], layerNorm: Bool = false,
                  options: MotionRNNOptions, seed: UInt64 = 3) -> VideoPredictor<ConvLSTMBackbone> {
        var random = RandomGenerator(seed: seed)
        let backbone = ConvLSTMBackbone(frameChannels: 4, hiddenChannels: hiddenChannels, filterSize: 3,
                                        layerNormShape: layerNorm ? (8, 8) : nil, using: &random)
        return VideoPredictor(backbone: backbone, options: options, filterSize: 3, using: &random)
    }

    @Test func plainConvLSTMMatchesOpenSTL() throws {
        try verifyFullModel("convlstm_small", convLSTM(options: .none))
    }

    /// The cell's (H', C') against central differences, w.r.t. x, H and C, with and without
    /// layer norm (B = 1, 2 channels, 4×4).
    @Test(arguments: [false, true]) func cellGradients(layerNorm: Bool) {
        var random = RandomGenerator(seed: 11)
        let cell = ConvLSTMCell(inputChannels: 2, hiddenChannels: 2, filterSize: 3,
                                layerNormShape: layerNorm ? (4, 4) : nil, using: &random)
        var inputs = TestRandom(seed: 7)
        let shape = [1, 2, 4, 4]
        checkGradients([inputs.tensor(shape), inputs.tensor(shape), inputs.tensor(shape)]) { v in
            let (next, _) = cell(v[0], ConvLSTMCell.State(hidden: v[1], cell: v[2]))
            return concat([next.hidden, next.cell], axis: 1)
        }
    }

    /// H' = o ⊙ tanh(C') with the output gate the cell returns (not OpenSTL v0.3.0's o ⊙ g), and
    /// C' = f ⊙ C + i ⊙ g without a forget bias: with every weight zero, all gates are σ(0) = ½
    /// and g = 0, so C' = C/2 and H' = ½·tanh(C/2).
    @Test func cellEquationsWithZeroWeights() throws {
        var random = RandomGenerator(seed: 1)
        let cell = ConvLSTMCell(inputChannels: 1, hiddenChannels: 1, filterSize: 3,
                                layerNormShape: nil, using: &random)
        try cell.loadParameters(
            from: Dictionary(uniqueKeysWithValues: cell.namedParameters.map {
                ($0.name, Tensor(zeros: $0.parameter.shape))
            }), source: "zeros")
        let c = Tensor(shape: [1, 1, 1, 2], scalars: [1.5, -0.8])
        let (next, o) = cell(Variable(Tensor(zeros: [1, 1, 1, 2])),
                             .init(hidden: Variable(Tensor(zeros: [1, 1, 1, 2])), cell: Variable(c)))
        for k in 0..<2 {
            let expectedCell = 0.5 * c.pointer[k]
            #expect(abs(next.cell.value.pointer[k] - expectedCell) < 1e-6)
            #expect(abs(next.hidden.value.pointer[k] - 0.5 * Float(Foundation.tanh(Double(expectedCell)))) < 1e-6)
            #expect(abs(o.value.pointer[k] - 0.5) < 1e-6)
        }
    }

    /// Plain ConvLSTM has none of MotionRNN's parameters — exactly the used OpenSTL names — and
    /// each MotionRNN part brings its own.
    @Test func ablationParameterNames() {
        let motionPrefixes = ["enc_list", "motion_list", "dec_list", "gate_list", "conv_first_v"]
        func names(_ options: MotionRNNOptions) -> [String] {
            convLSTM(options: options).namedParameters.map(\.name)
        }
        let plain = names(.none)
        #expect(plain.allSatisfy { name in !motionPrefixes.contains { name.hasPrefix($0) } })
        #expect(plain == (0..<3).flatMap { ["cell_list.\($0).conv_x.0.weight", "cell_list.\($0).conv_h.0.weight"] }
                + ["conv_last.weight"])
        let full = names(.full)
        for prefix in motionPrefixes { #expect(full.contains { $0.hasPrefix(prefix) }, "\(prefix) missing") }
        let highwayOnly = names(MotionRNNOptions(highway: true, transient: false, trend: false))
        #expect(highwayOnly == plain + ["conv_first_v.weight"])
        let withLayerNorm = convLSTM(layerNorm: true, options: .none).namedParameters.map(\.name)
        #expect(withLayerNorm.contains("cell_list.2.conv_h.1.bias"))
    }

    /// Every ablation runs through `VideoPredictor` and predicts finite frames of the right shape.
    @Test func ablationsRun() {
        let frames = Variable(movingSquares(count: 1, length: 5, size: 8, channels: 4))
        for (highway, transient, trend) in [(true, false, false), (false, true, false),
                                            (false, false, true), (true, true, false), (true, false, true)] {
            let model = convLSTM(hiddenChannels: [8, 8], layerNorm: true,
                                 options: MotionRNNOptions(highway: highway, transient: transient, trend: trend))
            let predictions = model(frames: frames, mask: nil, inputLength: 2).value
            #expect(predictions.shape == [1, 4, 8, 8, 4])
            #expect((0..<predictions.count).allSatisfy { predictions.pointer[$0].isFinite })
        }
    }

    // Without PredRNN's forget bias ConvLSTM learns more slowly at the default rate 3e-3 (0.79× in
    // 30 steps); at 1e-2 both variants reach ≈ 0.23–0.29× over seeds 1, 2, 5.

    /// Layers of different widths (no memory crosses layers, unlike PredRNN) train too.
    @Test func plainConvLSTMTrains() {
        expectTrains(convLSTM(hiddenChannels: [8, 12], options: .none, seed: 5),
                     frames: movingSquares(count: 2, length: 6, size: 8, channels: 4),
                     inputLength: 3, steps: 30, factor: 0.5, learningRate: 1e-2)
    }

    @Test func motionRNNConvLSTMTrains() {
        expectTrains(convLSTM(hiddenChannels: [8, 8], options: .full, seed: 5),
                     frames: movingSquares(count: 2, length: 6, size: 8, channels: 4),
                     inputLength: 3, steps: 30, factor: 0.5, learningRate: 1e-2)
    }
}
