@testable import Engine
import Testing

@Suite struct AutodiffTests {
    @Test func inferenceModeRecordsNothing() {
        let leaf = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let recorded = Variable.record(leaf.value, inputs: [leaf]) { _, _ in }
        #expect(!recorded.isLeaf)
        let unrecorded = withoutGradients { Variable.record(leaf.value, inputs: [leaf]) { _, _ in } }
        #expect(unrecorded.isLeaf && !unrecorded.requiresGrad)
    }

    @Test func gradientsAccumulateAcrossUsesAndGraphIsFreed() {
        let leaf = Variable(Tensor(shape: [1], scalars: [3]), requiresGrad: true)
        // y = identity(x) used twice through two recorded nodes: dy/dx sums to 2.
        func identity(_ x: Variable) -> Variable {
            Variable.record(x.value, inputs: [x]) { g, nodes in nodes[0].accumulateGrad(g) }
        }
        let a = identity(leaf), b = identity(leaf)
        let total = Variable.record(a.value, inputs: [a, b]) { g, nodes in
            nodes[0].accumulateGrad(g); nodes[1].accumulateGrad(g)
        }
        total.backward()
        #expect(leaf.grad?.scalars == [2])
        #expect(a.node.inputs.isEmpty && a.grad == nil)
        total.backward()  // graph already used: nothing more reaches the leaf
        #expect(leaf.grad?.scalars == [2])
    }

    /// The graph links nodes, not values: an intermediate that no backward rule saved is freed
    /// as soon as the forward code drops it, one a rule saved is kept, and backward still
    /// reaches the leaf through both.
    @Test func intermediateValuesNobodySavedAreFreed() {
        let leaf = Variable(Tensor(repeating: 1, shape: [4]), requiresGrad: true)
        weak var unsaved: TensorStorage?
        weak var saved: TensorStorage?
        let total: Variable
        do {
            let doubled = leaf * 2        // consumed only by `+ 1`, which saves nothing
            let halved = leaf * 0.5       // the product saves it for the other side's gradient
            unsaved = doubled.value.storage
            saved = halved.value.storage
            total = sum((doubled + 1) * halved)
        }
        #expect(unsaved == nil)
        #expect(saved != nil)
        total.backward()
        // Σ (2x + 1) · x/2 = Σ x² + x/2, derivative 2x + 1/2 = 2.5 at x = 1.
        #expect(leaf.grad?.scalars == [2.5, 2.5, 2.5, 2.5])
    }
}
