import Cells
import Engine
import Foundation
import Layers
import Testing
import TestSupport

/// The official PyTorch components (`../shared/fixtures/{warp,motiongru,stlstm_highway}_small`):
/// outputs, and the gradients of Σ output ⊙ loss_weight with respect to every parameter and
/// input, within the fixtures' rule: max|ours − ref| / max|ref| ≤ 1e-4 per tensor.
@Suite struct ComponentFixtureTests {
    static let tolerance = 1e-4

    /// Loads the parameters, runs `forward` on leaf inputs that require gradients, backpropagates
    /// the fixture's linear loss and compares outputs, the loss, and every gradient.
    func verify(_ fixtureName: String, layer: Layer, inputs inputNames: [String],
                forward: ([String: Variable]) -> [String: Variable]) throws {
        let fixture = try ReferenceTensors(fixtureName)
        try layer.loadParameters(from: fixture.tensors, source: fixtureName)
        var inputs: [String: Variable] = [:]
        for name in inputNames {
            inputs[name] = Variable(try fixture.tensor("input.\(name)"), requiresGrad: true, name: name)
        }
        let outputs = forward(inputs)
        var loss: Variable?
        for (name, output) in outputs.sorted(by: { $0.key < $1.key }) {
            let reference = try fixture.tensor("output.\(name)")
            let error = output.value.relativeError(to: reference)
            #expect(error <= Self.tolerance, "\(fixtureName) output.\(name): relative error \(error)")
            guard let weight = fixture.tensors["loss_weight.\(name)"] else { continue }
            let term = sum(output * Variable(weight))
            loss = loss.map { $0 + term } ?? term
        }
        let total = try #require(loss)
        let lossError = total.value.reshaped([1]).relativeError(to: try fixture.tensor("output.loss"))
        #expect(lossError <= Self.tolerance, "\(fixtureName) loss: relative error \(lossError)")
        total.backward()
        var checked = 0
        var worst = (error: 0.0, name: "")
        for (name, parameter) in layer.namedParameters {
            let error = (parameter.grad ?? Tensor(zeros: parameter.shape))
                .relativeError(to: try fixture.tensor("grad.\(name)"))
            #expect(error <= Self.tolerance, "\(fixtureName) grad.\(name): relative error \(error)")
            if error > worst.error { worst = (error, "grad.\(name)") }
            checked += 1
        }
        for (name, input) in inputs {
            let error = (input.grad ?? Tensor(zeros: input.shape))
                .relativeError(to: try fixture.tensor("grad.input.\(name)"))
            #expect(error <= Self.tolerance, "\(fixtureName) grad.input.\(name): relative error \(error)")
            if error > worst.error { worst = (error, "grad.input.\(name)") }
            checked += 1
        }
        print("\(fixtureName): worst gradient relative error \(worst.error) (\(worst.name))")
        #expect(checked == layer.namedParameters.count + inputNames.count)
    }

    @Test func warpMatchesOfficialWarp() throws {
        var random = RandomGenerator(seed: 1)
        let warp = Warp(inputChannels: 4, outputChannels: 4, using: &random)
        try verify("warp_small", layer: warp, inputs: ["x", "offset"]) { inputs in
            ["out": warp(inputs["x"]!, motionFilter: inputs["offset"]!)]
        }
    }

    @Test func motionGRUMatchesOfficialMotionGRU() throws {
        var random = RandomGenerator(seed: 1)
        let motionGRU = MotionGRU(channels: 4, using: &random)
        try verify("motiongru_small", layer: motionGRU, inputs: ["x_t", "pre_offset", "mean"]) { inputs in
            let (warped, filter, trend) = motionGRU(
                inputs["x_t"]!, previousFilter: inputs["pre_offset"]!, previousTrend: inputs["mean"]!)
            return ["x": warped, "offset": filter, "mean": trend]
        }
    }

    @Test func stLSTMWithHighwayMatchesOfficialCell() throws {
        var random = RandomGenerator(seed: 1)
        let cell = SpatioTemporalLSTMCell(inputChannels: 3, hiddenChannels: 4, filterSize: 3,
                                          layerNormShape: nil, using: &random)
        try verify("stlstm_highway_small", layer: cell,
                   inputs: ["x_t", "h_t", "c_t", "m_t", "motion_highway"]) { inputs in
            let state = SpatioTemporalLSTMCell.State(
                hidden: inputs["h_t"]!, cell: inputs["c_t"]!, memory: inputs["m_t"]!)
            let (next, outputGate) = cell(inputs["x_t"]!, state)
            let hidden = motionHighway(next.hidden, outputGate: outputGate, below: inputs["motion_highway"]!)
            return ["h": hidden, "c": next.cell, "m": next.memory]
        }
    }
}
