import Cells
import Engine
import Testing
import TestSupport

/// The fused ST-LSTM passes against the op-by-op composition they replace (values bitwise,
/// gradients against each other and by finite differences). Plane 3×5 = 15 exercises the
/// SIMD8 tail.
@Suite struct FusedGatesTests {
    static let (batch, n, height, width) = (2, 3, 3, 5)

    static func shape(_ k: Int) -> [Int] { [batch, k * n, height, width] }

    /// The unfused cell equations (as SpatioTemporalLSTMCell wrote them before fusion).
    static func referenceMemories(_ v: [Variable]) -> Variable {
        let xg = chunk(v[0], 7, axis: 1), hg = chunk(v[1], 4, axis: 1), mg = chunk(v[2], 3, axis: 1)
        let i = sigmoid(xg[0] + hg[0]), f = sigmoid(xg[1] + hg[1] + 1), g = tanh(xg[2] + hg[2])
        let c = f * v[3] + i * g
        let iP = sigmoid(xg[3] + mg[0]), fP = sigmoid(xg[4] + mg[1] + 1), gP = tanh(xg[5] + mg[2])
        let m = fP * v[4] + iP * gP
        return concat([c, m], axis: 1)
    }

    static func referenceOutput(_ v: [Variable]) -> Variable {
        let xg = chunk(v[0], 7, axis: 1), hg = chunk(v[1], 4, axis: 1)
        let o = sigmoid(xg[6] + hg[3] + v[2])
        return concat([o * tanh(v[3]), o], axis: 1)
    }

    static func fusedMemories(_ v: [Variable]) -> Variable {
        spatioTemporalMemories(x: v[0], h: v[1], m: v[2], cell: v[3], memory: v[4])
    }

    static func fusedOutput(_ v: [Variable]) -> Variable {
        spatioTemporalOutput(x: v[0], h: v[1], oConv: v[2], last: v[3])
    }

    func inputs(_ seed: UInt64, _ channels: [Int]) -> [Tensor] {
        var random = TestRandom(seed: seed)
        return channels.map { random.tensor(Self.shape($0), -2, 2) }
    }

    @Test func valuesAreBitwiseTheUnfusedOnes() {
        let m = inputs(1, [7, 4, 3, 1, 1]), o = inputs(2, [7, 4, 1, 1])
        #expect(Self.fusedMemories(m.map { Variable($0) }).value.scalars
                    == Self.referenceMemories(m.map { Variable($0) }).value.scalars)
        #expect(Self.fusedOutput(o.map { Variable($0) }).value.scalars
                    == Self.referenceOutput(o.map { Variable($0) }).value.scalars)
    }

    @Test func gradientsMatchTheUnfusedOnes() {
        for (values, fused, reference) in [
            (inputs(3, [7, 4, 3, 1, 1]), Self.fusedMemories, Self.referenceMemories),
            (inputs(4, [7, 4, 1, 1]), Self.fusedOutput, Self.referenceOutput),
        ] as [([Tensor], ([Variable]) -> Variable, ([Variable]) -> Variable)] {
            var random = TestRandom(seed: 5)
            let seedShape = fused(values.map { Variable($0) }).shape
            let seed = random.tensor(seedShape)
            func grads(_ body: ([Variable]) -> Variable) -> [[Float]] {
                let vars = values.map { Variable($0, requiresGrad: true) }
                body(vars).backward(seed: seed)
                return vars.map { $0.grad!.scalars }
            }
            for (a, b) in zip(grads(fused), grads(reference)) {
                #expect(a.count == b.count)
                #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
            }
        }
    }

    /// Both ops on the same conv outputs (as in the cell): their slab gradients add up in one
    /// buffer, including when only part of the inputs require gradients.
    @Test func sharedConvOutputsByFiniteDifferences() {
        let v = inputs(6, [7, 4, 3, 1, 1, 1, 1])
        checkGradients(v) { w in
            let memories = Self.fusedMemories(Array(w[0...4]))
            let output = Self.fusedOutput([w[0], w[1], w[5], w[6]])
            return memories * output
        }
        checkGradients(Array(v[0...4])) { w in Self.fusedMemories(w) }
        checkGradients([v[0], v[1], v[5], v[6]]) { w in Self.fusedOutput(w) }
    }

    @Test func onlySomeInputsNeedGradients() {
        let v = inputs(7, [7, 4, 3, 1, 1])
        let x = Variable(v[0], requiresGrad: true)
        let rest = v.dropFirst().map { Variable($0) }
        Self.fusedMemories([x] + rest).backward(seed: Tensor(repeating: 1, shape: Self.shape(2)))
        let reference = Variable(v[0], requiresGrad: true)
        Self.referenceMemories([reference] + v.dropFirst().map { Variable($0) })
            .backward(seed: Tensor(repeating: 1, shape: Self.shape(2)))
        #expect(zip(x.grad!.scalars, reference.grad!.scalars).allSatisfy { abs($0 - $1) <= 1e-5 })
    }

    /// Backward needs only the activated gates, so the conv outputs (14N + 11N channels, shared
    /// by both passes in the cell) are not kept alive by the recorded graph.
    @Test func recordedGraphDoesNotHoldTheConvOutputs() {
        let v = inputs(9, [7, 4, 3, 1, 1, 1, 1])
        let leaves = v.map { Variable($0, requiresGrad: true) }
        weak var convOutputs: TensorStorage?
        weak var otherOutputs: TensorStorage?
        let result: Variable = {
            // Intermediates, as the conv outputs are in the cell (a scaling saves no tensor).
            let x = leaves[0] * 2, h = leaves[1] * 2, m = leaves[2] * 2, oConv = leaves[5] * 2
            (convOutputs, otherOutputs) = (x.value.storage, m.value.storage)
            let memories = Self.fusedMemories([x, h, m, leaves[3], leaves[4]])
            return memories * Self.fusedOutput([x, h, oConv, leaves[6]])
        }()
        #expect(convOutputs == nil && otherOutputs == nil)
        result.backward(seed: Tensor(repeating: 1, shape: result.shape))
        #expect(leaves.allSatisfy { $0.grad != nil })
    }

    @Test func gatedBlendMatchesTheUnfusedOps() {
        var random = TestRandom(seed: 8)
        let v = (0..<3).map { _ in random.tensor([2, 3, 5], -2, 2) }
        let reference = { (w: [Variable]) -> Variable in
            let g = sigmoid(w[0])
            return g * w[1] + (1 - g) * w[2]
        }
        #expect(gatedBlend(Variable(v[0]), Variable(v[1]), Variable(v[2])).value.scalars
                    == reference(v.map { Variable($0) }).value.scalars)
        checkGradients(v) { w in gatedBlend(w[0], w[1], w[2]) }
    }
}
