@testable import Cells
import Engine
import Layers
import Predictor
import Testing
import TestSupport

/// MIM (corrected OpenSTL `MIM_Model`, `../shared/fixtures/mim_small`) and MotionRNN-MIM.
@Suite struct MIMTests {
    func mim(hiddenChannels: [Int] = [8, 8, 8], options: MotionRNNOptions, seed: UInt64 = 3)
        -> VideoPredictor<MIMBackbone>
    {
        var random = RandomGenerator(seed: seed)
        let backbone = MIMBackbone(frameChannels: 4, hiddenChannels: hiddenChannels, filterSize: 3,
                                   height: 8, width: 8, using: &random)
        return VideoPredictor(backbone: backbone, options: options, filterSize: 3, using: &random)
    }

    @Test func plainMIMMatchesOfficialModel() throws {
        let model = mim(options: .none)
        #expect(model.namedParameters.count == 30)   // the fixture's 32 less the two unused MIM-N conv_last
        try verifyFullModel("mim_small", model)
    }

    /// The per-step states against the fixture's traces, feeding layer 0 the traced net_t: not
    /// needed for parity (outputs and gradients decide it), but it pins each state down.
    @Test func statesMatchOfficialTraces() throws {
        let fixture = try ReferenceTensors("mim_small")
        let backbone = mim(options: .none).backbone
        try backbone.loadParameters(from: fixture.tensors, source: "mim_small")
        let net = try fixture.tensor("trace.stlstm_layer0.in_x")   // [T−1, B, Cp, h, w]
        var traces: [String: [Variable]] = [:]
        withoutGradients {
            var state = backbone.initialState(batch: 2, height: 8, width: 8)
            for t in 0..<net.shape[0] {
                var input = select(Variable(net), index: t, axis: 0)
                for layer in 0..<3 {
                    input = backbone.step(layer: layer, input: input, state: &state).hidden
                    if layer == 0 {
                        traces["stlstm_layer0.out_h", default: []].append(state.bottom.hidden)
                        traces["stlstm_layer0.out_c", default: []].append(state.bottom.cell)
                        traces["stlstm_layer0.out_m", default: []].append(state.bottom.memory)
                    } else {
                        let block = state.blocks[layer - 1]
                        traces["stlstm_layer\(layer).out_h", default: []].append(block.hidden)
                        traces["stlstm_layer\(layer).out_c", default: []].append(block.cell)
                        traces["stlstm_layer\(layer).out_m", default: []].append(block.memory)
                        traces["stlstm_layer\(layer).mims_c", default: []].append(block.stationaryCell)
                        if t > 0 {
                            let difference = state.differences[layer - 1]
                            traces["stlstm_layer_diff\(layer - 1).out_h", default: []].append(difference.hidden)
                            traces["stlstm_layer_diff\(layer - 1).out_c", default: []].append(difference.cell)
                        }
                    }
                }
            }
        }
        #expect(traces.count == 15)
        var worst = (error: 0.0, name: "")
        for (name, steps) in traces.sorted(by: { $0.key < $1.key }) {
            let error = stack(steps, axis: 0).value.relativeError(to: try fixture.tensor("trace.\(name)"))
            #expect(error <= fixtureTolerance, "trace.\(name): relative error \(error)")
            if error >= worst.error { worst = (error, "trace.\(name)") }
        }
        print("mim_small traces: \(traces.count) tensors, worst relative error \(worst.error) (\(worst.name))")
    }

    @Test func mimBlockGradientsMatchFiniteDifferences() {
        var random = RandomGenerator(seed: 11)
        let block = MIMBlock(inputChannels: 3, differenceChannels: 2, hiddenChannels: 2, filterSize: 3,
                             height: 4, width: 4, using: &random)
        var values = TestRandom(seed: 12)
        randomizeParameters(of: block, using: &values)
        let inputs = [values.tensor([1, 3, 4, 4])] + (0..<5).map { _ in values.tensor([1, 2, 4, 4]) }
        func run(_ v: [Variable]) -> Variable {
            let (next, o) = block(v[0], difference: v[1],
                                  .init(hidden: v[2], cell: v[3], memory: v[4], stationaryCell: v[5]))
            return concat([next.hidden, next.cell, next.memory, next.stationaryCell, o], axis: 1)
        }
        checkGradients(inputs, run)   // x, D, H, C, M, S
        checkParameterGradients(of: block) { run(inputs.map { Variable($0) }) }
    }

    @Test func mimNCellGradientsMatchFiniteDifferences() {
        var random = RandomGenerator(seed: 13)
        let cell = MIMNCell(inputChannels: 3, hiddenChannels: 2, filterSize: 3, height: 4, width: 4,
                            using: &random)
        var values = TestRandom(seed: 14)
        randomizeParameters(of: cell, using: &values)
        let inputs = [values.tensor([1, 3, 4, 4]), values.tensor([1, 2, 4, 4]), values.tensor([1, 2, 4, 4])]
        func run(_ v: [Variable]) -> Variable {
            let next = cell(v[0], .init(hidden: v[1], cell: v[2]))
            return concat([next.hidden, next.cell], axis: 1)
        }
        checkGradients(inputs, run)   // x, h, c
        checkParameterGradients(of: cell) { run(inputs.map { Variable($0) }) }
    }

    @Test func mimNCellUsesItsGateOrder() {
        // Only the forget gate (third block of conv_x_concat) open fully, c = 1: c' = σ(big)·1 ≈ 1,
        // i = σ(0) = ½ times tanh(0) adds nothing, so h' = σ(0)·tanh(1).
        var random = RandomGenerator(seed: 1)
        let cell = MIMNCell(inputChannels: 1, hiddenChannels: 1, filterSize: 1, height: 1, width: 1,
                            using: &random)
        cell.convX.convolution.weight.assign(Tensor(shape: [4, 1, 1, 1], scalars: [0, 0, 20, 0]))
        cell.convH.convolution.weight.assign(Tensor(zeros: [4, 1, 1, 1]))
        let one = Variable(Tensor(repeating: 1, shape: [1, 1, 1, 1]))
        let next = cell(one, .init(hidden: one, cell: one))
        #expect(abs(next.cell.value.scalar - 1) < 1e-6)
        #expect(abs(next.hidden.value.scalar - 0.5 * 0.7615942) < 1e-5)
    }

    // Two layers (an ST-LSTM, one MIM block fed by one MIM-N) keep these under ~15 s in debug.
    @Test func plainMIMTrains() {
        let model = mim(hiddenChannels: [8, 8], options: .none, seed: 5)
        expectTrains(model, frames: movingSquares(count: 2, length: 6, size: 8, channels: 4),
                     inputLength: 3, steps: 30, factor: 0.5, learningRate: 5e-3)
    }

    @Test func motionRNNMIMTrains() {
        let model = mim(hiddenChannels: [8, 8], options: .full, seed: 5)
        expectTrains(model, frames: movingSquares(count: 2, length: 6, size: 8, channels: 4),
                     inputLength: 3, steps: 30, factor: 0.5, learningRate: 5e-3)
    }
}

/// Every parameter drawn from U(−0.5, 0.5), so that all paths (also the element-wise weights,
/// which start at zero) carry signal in the gradient checks.
private func randomizeParameters(of layer: Layer, using random: inout TestRandom) {
    for parameter in layer.parameters { parameter.assign(random.tensor(parameter.shape, -0.5, 0.5)) }
}

/// `checkGradients` for a layer's own parameters: the gradient of Σ f() ⊙ W from `backward()`
/// against central differences of the parameter values, with the same step and tolerances.
private func checkParameterGradients(
    of layer: Layer, step: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 2e-2,
    sourceLocation: SourceLocation = #_sourceLocation, _ function: () -> Variable
) {
    var random = TestRandom(seed: 99)
    layer.zeroGradients()
    let output = function()
    let weights = random.tensor(output.shape)
    output.backward(seed: weights)

    func weightedSum() -> Double {
        let value = withoutGradients { function() }.value
        var total = 0.0
        for i in 0..<value.count { total += Double(value.pointer[i]) * Double(weights.pointer[i]) }
        return total
    }

    for (name, parameter) in layer.namedParameters {
        let original = parameter.value
        let analytic = parameter.grad ?? Tensor(zeros: parameter.shape)
        var worst = (excess: 0.0, element: -1)
        for element in 0..<original.count {
            func shifted(_ delta: Float) -> Double {
                var shifted = original
                shifted.withUnsafeMutableBufferPointer { $0[element] += delta }
                parameter.assign(shifted)
                return weightedSum()
            }
            let numeric = (shifted(step) - shifted(-step)) / (2 * Double(step))
            let excess = abs(Double(analytic.pointer[element]) - numeric) - (atol + rtol * abs(numeric))
            if excess > worst.excess { worst = (excess, element) }
        }
        parameter.assign(original)
        #expect(worst.element < 0, "\(name): element \(worst.element) exceeds tolerance by \(worst.excess)",
                sourceLocation: sourceLocation)
    }
    layer.zeroGradients()
}
