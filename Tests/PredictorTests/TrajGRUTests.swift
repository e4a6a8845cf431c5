import Cells
import Engine
import Foundation
import Layers
import Predictor
import Testing
import TestSupport

/// TrajGRU (HKO-7) and MotionRNN-TrajGRU: fixture parity, official initialisation, the cell's
/// gradients, training.
@Suite struct TrajGRUTests {
    /// The fixture's hyper-parameters: 5 links, flow width 32, 5×5 flow kernels, slope 0.2.
    static let fixtureOptions = TrajGRUOptions(links: [5], inputKernel: 3, flowChannels: 32, flowKernel: 5, leakySlope: 0.2)

    func trajGRU(hiddenChannels: [Int] = [8, 8, 8], options: TrajGRUOptions = fixtureOptions,
                 motion: MotionRNNOptions, seed: UInt64 = 3) -> VideoPredictor<TrajGRUBackbone> {
        var random = RandomGenerator(seed: seed)
        let backbone = TrajGRUBackbone(frameChannels: 4, hiddenChannels: hiddenChannels, options: options, using: &random)
        return VideoPredictor(backbone: backbone, options: motion, filterSize: 3, using: &random)
    }

    @Test func matchesTheReference() throws {
        try verifyFullModel("trajgru_small", trajGRU(motion: .none))
    }

    /// HKO-7 zero-initialises `flows_conv` (weight and bias): every flow starts at 0 and the warp
    /// at the identity. The other biases start at 0 too.
    @Test func officialInitialisation() {
        let parameters = Dictionary(uniqueKeysWithValues: trajGRU(motion: .none).namedParameters.map { ($0.name, $0.parameter.value) })
        for layer in 0..<3 {
            for name in ["flows_conv.weight", "flows_conv.bias", "i2h.bias", "ret.bias"] {
                let value = parameters["cell_list.\(layer).\(name)"]!
                #expect((0..<value.count).allSatisfy { value.pointer[$0] == 0 }, "\(name)")
            }
            let weight = parameters["cell_list.\(layer).i2h.weight"]!
            #expect((0..<weight.count).contains { weight.pointer[$0] != 0 })
        }
    }

    /// H' against central differences w.r.t. x and H. The flows come from `flows_conv`'s bias
    /// alone here (weight zero), fractional and partly leaving the 4×4 map, so the warp is
    /// exercised without crossing the floor's kinks; the flow gradient itself is checked in
    /// `FlowWarpTests` and by the fixture.
    @Test func cellGradients() throws {
        var random = RandomGenerator(seed: 11)
        let cell = TrajGRUCell(inputChannels: 2, hiddenChannels: 3, options: TrajGRUOptions(links: [2], flowChannels: 4, flowKernel: 3),
                               links: 2, using: &random)
        var values = TestRandom(seed: 5)
        var parameters = Dictionary(uniqueKeysWithValues: cell.namedParameters.map { ($0.name, values.tensor($0.parameter.shape, -0.5, 0.5)) })
        parameters["flows_conv.weight"] = Tensor(zeros: [4, 4, 3, 3])
        parameters["flows_conv.bias"] = Tensor(shape: [4], scalars: [0.3, -1.4, 2.6, 0.7])
        try cell.loadParameters(from: parameters, source: "test")
        checkGradients([values.tensor([1, 2, 4, 4]), values.tensor([1, 3, 4, 4])]) { v in
            cell(v[0], hidden: v[1])
        }
    }

    /// TrajGRU has no output gate, so MotionRNN-TrajGRU has no highway (no `conv_first_v`), only
    /// the MotionGRU transitions (SPEC §10.3).
    @Test func motionRNNWrapsItWithoutTheHighway() {
        let plain = trajGRU(motion: .none).namedParameters.map(\.name)
        let wrapped = trajGRU(motion: .full).namedParameters.map(\.name)
        #expect(!wrapped.contains("conv_first_v.weight"))
        #expect(wrapped.contains { $0.hasPrefix("motion_list.1.") } && !wrapped.contains { $0.hasPrefix("motion_list.2.") })
        #expect(Array(wrapped.prefix(plain.count)) == plain)
    }

    /// Layers of different widths (TrajGRU shares nothing across layers) and per-layer links.
    @Test func plainTrajGRUTrains() {
        expectTrains(trajGRU(hiddenChannels: [8, 12], options: TrajGRUOptions(links: [3, 2], flowChannels: 8), motion: .none, seed: 5),
                     frames: movingSquares(count: 2, length: 6, size: 8, channels: 4),
                     inputLength: 3, steps: 30, factor: 0.5, learningRate: 1e-2)
    }

    /// Slower to start than the plain model (0.83× after 30 steps, 0.22× after 60 at this seed).
    @Test func motionRNNTrajGRUTrains() {
        expectTrains(trajGRU(hiddenChannels: [8, 8], options: TrajGRUOptions(links: [3], flowChannels: 8), motion: .full, seed: 5),
                     frames: movingSquares(count: 2, length: 6, size: 8, channels: 4),
                     inputLength: 3, steps: 60, factor: 0.5, learningRate: 1e-2)
    }
}
