import Cells
import Engine
import Foundation
import Layers
import Predictor
import Testing
import TestSupport

/// E3D-LSTM (plain and under MotionRNN) against OpenSTL's (`../shared/fixtures/e3dlstm_small*`),
/// gradient checks of the recall attention and the cell, and training on moving squares.
@Suite struct E3DLSTMTests {
    func e3dLSTM(options: MotionRNNOptions = .none, passesNewGlobalMemory: Bool = true,
                 hiddenChannels: [Int] = [8, 8, 8], seed: UInt64 = 3) -> VideoPredictor<E3DLSTMBackbone> {
        var random = RandomGenerator(seed: seed)
        let backbone = E3DLSTMBackbone(frameChannels: 4, hiddenChannels: hiddenChannels, height: 8, width: 8,
                                       passesNewGlobalMemory: passesNewGlobalMemory, using: &random)
        return VideoPredictor(backbone: backbone, options: options, filterSize: 3, using: &random)
    }

    /// The E3D-LSTM training loss of the fixtures: MSE + L1.
    static func e3dLoss(_ prediction: Variable, _ target: Variable) -> Variable {
        mseLoss(prediction, target) + l1Loss(prediction, target)
    }

    // MARK: fixture parity

    @Test func matchesCorrectedOpenSTLModel() throws {
        try verifyFullModel("e3dlstm_small", e3dLSTM(), loss: Self.e3dLoss)
    }

    @Test func openSTLCompatibilityModeMatchesOpenSTLAsIs() throws {
        let model = e3dLSTM(passesNewGlobalMemory: false)
        try verifyFullModel("e3dlstm_small_openstl_asis", model, loss: Self.e3dLoss)
        // The memory never leaves zero, so conv_gm learns nothing.
        for (name, parameter) in model.namedParameters where name.contains("conv_gm") {
            let gradient = parameter.grad ?? Tensor(zeros: parameter.shape)
            #expect(gradient.maxAbsoluteDifference(to: Tensor(zeros: parameter.shape)) <= 1e-7, "\(name)")
        }
    }

    /// Per-step states against `trace.*`: each step fed the recorded window input.
    @Test(arguments: [("e3dlstm_small", true), ("e3dlstm_small_openstl_asis", false)])
    func cellStatesMatchTraces(fixtureName: String, passesNewGlobalMemory: Bool) throws {
        let fixture = try ReferenceTensors(fixtureName)
        let model = e3dLSTM(passesNewGlobalMemory: passesNewGlobalMemory)
        try model.loadParameters(from: fixture.tensors, source: fixtureName)
        let backbone = model.backbone
        let windows = try fixture.tensor("input.frames").shape[1] - 1
        var state = backbone.initialState(batch: 2, height: 8, width: 8)
        var worst: [String: Double] = [:]
        func compare(_ ours: Variable, _ name: String, step: Int) throws {
            let reference = select(Variable(try fixture.tensor(name)), index: step, axis: 0).value
            worst[name] = max(worst[name] ?? 0, ours.value.relativeError(to: reference))
        }
        try withoutGradients {
            for t in 0..<windows {
                var input = select(Variable(try fixture.tensor("trace.cell0.in_x")), index: t, axis: 0)
                for layer in 0..<backbone.layerCount {
                    let (hidden, _) = backbone.step(layer: layer, input: input, state: &state)
                    try compare(hidden, "trace.cell\(layer).out_h", step: t)
                    try compare(state.layers[layer].cell, "trace.cell\(layer).out_c", step: t)
                    try compare(state.globalMemory, "trace.cell\(layer).out_m", step: t)
                    input = hidden
                }
            }
        }
        for (name, error) in worst.sorted(by: { $0.key < $1.key }) {
            #expect(error <= fixtureTolerance, "\(fixtureName) \(name): relative error \(error)")
        }
        print("\(fixtureName) traces: worst relative error \(worst.values.max()!)")
    }

    @Test func parameterNamesAreOpenSTLs() throws {
        let fixture = try ReferenceTensors("e3dlstm_small")
        let names = e3dLSTM().namedParameters.map(\.name)
        #expect(Set(names) == Set(fixture.tensors.keys.filter {
            $0.hasPrefix("cell_list.") || $0.hasPrefix("conv_last.")
        }))
        #expect(e3dLSTM().parameterCount == 158_592)
    }

    // MARK: gradients

    @Test func recallGradients() {
        var random = TestRandom(seed: 11)
        // N = 2, a window of 2, 2×2: R = 8 rows of 2; a history of a zero entry and two states.
        let query = random.tensor([1, 2, 2, 2, 2])
        let memory = concat([Variable(Tensor(zeros: [1, 8, 2])), Variable(random.tensor([1, 16, 2], -2, 2))],
                            axis: 1).value
        checkGradients([query, memory]) { recall($0[0], memory: $0[1]) }
    }

    @Test func recallCutsBuffersIntoRowsOfN() {
        // One query row against a memory whose rows are one-hot: the attention picks rows by
        // their scores, which depend on the flat row cut, not on per-position channel vectors.
        // N = 2 channels over 1×2 positions: the rows are (4, 0) and (4, 0); per-position
        // channel vectors would be (4, 4) and (0, 0) and give 0.5 everywhere.
        let query = Variable(Tensor(shape: [1, 2, 1, 1, 2], scalars: [4, 0, 4, 0]))
        let memory = Variable(Tensor(shape: [1, 2, 2], scalars: [1, 0, 0, 1]))
        let out = recall(query, memory: memory).value
        let e = Float(exp(4.0)), total = e + 1
        let expected: [Float] = [e / total, 1 / total, e / total, 1 / total]
        for k in 0..<4 { #expect(abs(out.pointer[k] - expected[k]) < 1e-6) }
    }

    /// The paper's recall (`--recall positions`) attends over each position's channel vector:
    /// in the example above, the rows (4, 4) and (0, 0) score equally against one-hot keys
    /// (1, 0) and (0, 1), so each output channel is the mean of the two key values, ½. Written
    /// back, a channel of a position stays that channel.
    @Test func recallOverPositionsReadsEachPositionsChannels() {
        let query = Variable(Tensor(shape: [1, 2, 1, 1, 2], scalars: [4, 0, 4, 0]))
        let memory = Variable(Tensor(shape: [1, 2, 2], scalars: [1, 0, 0, 1]))
        let out = recall(query, memory: memory, rows: .positions).value
        #expect(out.shape == [1, 2, 1, 1, 2])
        #expect(out.scalars.allSatisfy { abs($0 - 0.5) < 1e-6 }, "\(out.scalars)")
        // Position 0 = channels (4, 4) as a row; a key (1, 0) alone with value (3, 7) returns
        // (3, 7) at every position, in channel order.
        let one = Variable(Tensor(shape: [1, 1, 2], scalars: [3, 7]))
        let back = recall(query, memory: one, rows: .positions).value
        #expect(back.scalars == [3, 3, 7, 7])   // [B, N, D, h, w]: channel 0 at both positions, then channel 1
        // The row view is the permuted state: position (d, x) holds (state[0, d, x], state[1, d, x]).
        let state = Variable(Tensor(shape: [1, 2, 1, 1, 3], scalars: [1, 2, 3, 10, 20, 30]))
        #expect(Recall.rows(state, .positions).value.scalars == [1, 10, 2, 20, 3, 30])
        #expect(Recall.rows(state).value.scalars == [1, 2, 3, 10, 20, 30])
    }

    @Test func recallOverPositionsGradients() {
        var random = TestRandom(seed: 13)
        let query = random.tensor([1, 2, 2, 2, 2])
        let memory = random.tensor([1, 24, 2], -2, 2)
        checkGradients([query, memory]) { recall($0[0], memory: $0[1], rows: .positions) }
    }

    /// `--recall positions` builds an E3D-LSTM (plain and with MotionRNN) that predicts, and
    /// differently from OpenSTL's recall with the same parameters; other backbones refuse it.
    @Test func theModelTakesEitherRecall() throws {
        var random = RandomGenerator(seed: 4)
        let frames = Variable(Tensor.uniform(shape: [1, 5, 4, 4, 4], low: 0, high: 1, using: &random))
        for motion in [MotionRNNOptions.none, .full] {
            var configuration = ModelConfiguration(backbone: .e3dlstm, motion: motion, imageHeight: 8, imageWidth: 8,
                                                   imageChannels: 1, patchSize: 2, hiddenChannels: [4, 4],
                                                   filterSize: 5, inputLength: 2, totalLength: 5)
            let openSTL = try ModelFactory.make(configuration, seed: 1)
            configuration.e3dRecall = .positions
            let paper = try ModelFactory.make(configuration, seed: 1)
            let (a, b) = withoutGradients {
                (openSTL.predict(frames: frames, mask: nil, inputLength: 2).value,
                 paper.predict(frames: frames, mask: nil, inputLength: 2).value)
            }
            #expect(a.shape == b.shape && b.scalars.allSatisfy(\.isFinite))
            #expect(a.scalars != b.scalars, "\(motion)")
        }
        var predRNN = ModelConfiguration(backbone: .predrnn, imageHeight: 8, imageWidth: 8, imageChannels: 1,
                                         patchSize: 2, hiddenChannels: [4, 4], filterSize: 3, inputLength: 2, totalLength: 5)
        predRNN.e3dRecall = .positions
        #expect { try predRNN.validate() } throws: { ($0 as? ModelConfigurationError)?.field == "e3dRecall" }
    }

    @Test func cellGradients() {
        var random = RandomGenerator(seed: 7)
        let cell = E3DLSTMCell(inputChannels: 2, hiddenChannels: 2, height: 4, width: 4, using: &random)
        var values = TestRandom(seed: 12)
        let window = [1, 2, 2, 4, 4]
        // x, H, C, GM, and a history of two entries (R = 32 rows of 2 each).
        let inputs = [values.tensor(window), values.tensor(window, -0.5, 0.5), values.tensor(window),
                      values.tensor(window), values.tensor([1, 64, 2])]
        checkGradients(inputs) { v in
            let state = E3DLSTMCell.State(hidden: v[1], cell: v[2], history: v[4])
            let (next, memory, gate) = cell(v[0], state, globalMemory: v[3])
            return concat([next.hidden, next.cell, memory, gate, next.history].map { $0.reshaped([-1]) },
                          axis: 0)
        }
    }

    // MARK: MotionRNN on the windowed states

    @Test func motionRNNModulesFoldTheWindow() {
        let model = e3dLSTM(options: .full)
        let shapes = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.parameter.shape) })
        #expect(shapes["conv_first_v.weight"] == [8, 4, 1, 1, 1])
        #expect(shapes["enc_list.0.weight"] == [2, 8, 2, 3, 3])
        #expect(shapes["enc_list.0.bias"] == [2])
        #expect(shapes["dec_list.1.weight"] == [2, 16, 4, 4])
        #expect(shapes["gate_list.1.weight"] == [8, 16, 2, 3, 3])
        #expect(shapes["motion_list.0.update.weight"] == [18, 20, 3, 3])
        #expect(shapes["enc_list.2.weight"] == nil)
        let frames = Variable(movingSquares(count: 1, length: 4, size: 8, channels: 4))
        let out = withoutGradients { model(frames: frames, mask: nil, inputLength: 2) }
        #expect(out.shape == [1, 3, 8, 8, 4])
    }

    @Test(arguments: [MotionRNNOptions(highway: true, transient: false, trend: false),
                      MotionRNNOptions(highway: false, transient: true, trend: true),
                      MotionRNNOptions(highway: true, transient: true, trend: false)])
    func motionRNNAblationsRunAndBackpropagate(options: MotionRNNOptions) {
        let model = e3dLSTM(options: options, hiddenChannels: [8, 8])
        let frames = Variable(movingSquares(count: 1, length: 4, size: 8, channels: 4))
        let loss = l1PlusL2Loss(model(frames: frames, mask: nil, inputLength: 2),
                                slice(frames, range: 1..<4, axis: 1))
        loss.backward()
        #expect(loss.value.scalar.isFinite)
        for (name, parameter) in model.namedParameters {
            let gradient = parameter.grad ?? Tensor(zeros: parameter.shape)
            #expect(gradient.maxAbsoluteDifference(to: Tensor(zeros: parameter.shape)) > 0, "\(name) got no gradient")
        }
    }

    // MARK: training

    @Test func e3dLSTMTrains() {
        expectTrains(e3dLSTM(hiddenChannels: [8, 8], seed: 5),
                     frames: movingSquares(count: 2, length: 5, size: 8, channels: 4),
                     inputLength: 2, steps: 20, factor: 0.5)
    }

    @Test func motionRNNE3DLSTMTrains() {
        expectTrains(e3dLSTM(options: .full, hiddenChannels: [8, 8], seed: 5),
                     frames: movingSquares(count: 2, length: 5, size: 8, channels: 4),
                     inputLength: 2, steps: 20, factor: 0.5)
    }
}
