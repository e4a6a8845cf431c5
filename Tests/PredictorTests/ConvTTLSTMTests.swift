import Cells
import Engine
import Foundation
import Layers
import Predictor
import Testing
import TestSupport

/// Conv-TT-LSTM (NVlabs) and MotionRNN-Conv-TT-LSTM: fixture parity (steps = order, and steps >
/// order where the lag windows matter), the cell's gradients and history, training.
@Suite struct ConvTTLSTMTests {
    func convTTLSTM(hiddenChannels: [Int] = [8, 8, 8], options: ConvTTLSTMOptions,
                    motion: MotionRNNOptions, seed: UInt64 = 3) -> VideoPredictor<ConvTTLSTMBackbone> {
        var random = RandomGenerator(seed: seed)
        let backbone = ConvTTLSTMBackbone(frameChannels: 4, hiddenChannels: hiddenChannels, options: options,
                                          filterSize: 3, using: &random)
        return VideoPredictor(backbone: backbone, options: motion, filterSize: 3, using: &random)
    }

    @Test func matchesTheReference() throws {
        try verifyFullModel("convttlstm_small", convTTLSTM(options: ConvTTLSTMOptions(order: 3, steps: 3, ranks: 4), motion: .none))
    }

    /// S = 5 > K = 3: three lags per window; NVlabs' eval_paper ring buffer (pointer modulo K)
    /// fails this one.
    @Test func matchesTheReferenceWithMoreStepsThanOrder() throws {
        try verifyFullModel("convttlstm_steps5_small", convTTLSTM(options: ConvTTLSTMOptions(order: 3, steps: 5, ranks: 4), motion: .none))
    }

    /// (H', C') against central differences w.r.t. x, every history entry and C (order 2, steps 3:
    /// two windows of two lags).
    @Test func cellGradients() {
        var random = RandomGenerator(seed: 11)
        let cell = ConvTTLSTMCell(inputChannels: 2, hiddenChannels: 2, options: ConvTTLSTMOptions(order: 2, steps: 3, ranks: 3),
                                  kernelSize: 3, using: &random)
        var inputs = TestRandom(seed: 7)
        let shape = [1, 2, 4, 4]
        checkGradients((0..<5).map { _ in inputs.tensor(shape) }) { v in
            let (next, _) = cell(v[0], ConvTTLSTMCell.State(history: [v[1], v[2], v[3]], cell: v[4]))
            return concat([next.history.last!, next.cell], axis: 1)
        }
    }

    /// A step drops the oldest state and appends H'; the returned output gate makes H' = o ⊙ tanh(C').
    @Test func historyAdvancesOldestFirst() {
        var random = RandomGenerator(seed: 2)
        let cell = ConvTTLSTMCell(inputChannels: 1, hiddenChannels: 2, options: ConvTTLSTMOptions(order: 2, steps: 4, ranks: 2),
                                  kernelSize: 3, using: &random)
        var inputs = TestRandom(seed: 3)
        let history = (0..<4).map { _ in Variable(inputs.tensor([1, 2, 3, 3])) }
        let (next, o) = cell(Variable(inputs.tensor([1, 1, 3, 3])), .init(history: history, cell: Variable(inputs.tensor([1, 2, 3, 3]))))
        #expect(next.history.count == 4)
        for k in 0..<3 { #expect(next.history[k] === history[k + 1]) }
        let expected = (o * tanh(next.cell)).value
        #expect(next.history[3].value.relativeError(to: expected) == 0)
    }

    /// MotionRNN's corrected H replaces the newest history entry and leaves C alone (SPEC §10.3).
    @Test func motionRNNReplacesTheNewestHistoryEntry() {
        var random = RandomGenerator(seed: 4)
        let backbone = ConvTTLSTMBackbone(frameChannels: 4, hiddenChannels: [4, 4], options: ConvTTLSTMOptions(order: 2, steps: 3, ranks: 2),
                                          filterSize: 3, using: &random)
        var state = backbone.initialState(batch: 1, height: 4, width: 4)
        var inputs = TestRandom(seed: 5)
        let (hidden, gate) = backbone.step(layer: 0, input: Variable(inputs.tensor([1, 4, 4, 4])), state: &state)
        #expect(gate != nil)
        let before = state.layers[0]
        #expect(before.history.last! === hidden)
        let corrected = Variable(inputs.tensor([1, 4, 4, 4]))
        backbone.replaceHidden(layer: 0, with: corrected, state: &state)
        let after = state.layers[0]
        #expect(after.history.last! === corrected && after.cell === before.cell)
        for k in 0..<2 { #expect(after.history[k] === before.history[k]) }
    }

    @Test func motionRNNParametersIncludeTheHighway() {
        let names = convTTLSTM(options: ConvTTLSTMOptions(order: 2, steps: 2, ranks: 2), motion: .full).namedParameters.map(\.name)
        #expect(names.contains("conv_first_v.weight"))
        #expect(names.contains("cell_list.2.layers_.1.weight") && names.contains("cell_list.2.layers.1.weight"))
        #expect(!names.contains("cell_list.2.layers_.2.weight"))
    }

    @Test func plainConvTTLSTMTrains() {
        expectTrains(convTTLSTM(hiddenChannels: [8, 12], options: ConvTTLSTMOptions(order: 2, steps: 3, ranks: 4), motion: .none, seed: 5),
                     frames: movingSquares(count: 2, length: 6, size: 8, channels: 4),
                     inputLength: 3, steps: 30, factor: 0.5, learningRate: 1e-2)
    }

    @Test func motionRNNConvTTLSTMTrains() {
        expectTrains(convTTLSTM(hiddenChannels: [8, 8], options: ConvTTLSTMOptions(order: 2, steps: 3, ranks: 4), motion: .full, seed: 5),
                     frames: movingSquares(count: 2, length: 6, size: 8, channels: 4),
                     inputLength: 3, steps: 30, factor: 0.5, learningRate: 1e-2)
    }
}
