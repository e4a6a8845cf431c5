@testable import Engine
import Testing

@Suite struct AutodiffTests {
    @Test func inferenceModeRecordsNothing() {
        let leaf = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let recorded = Variable.record(leaf.value, inputs: [leaf]) { _ in }
        #expect(!recorded.isLeaf)
        let unrecorded = withoutGradients { Variable.record(leaf.value, inputs: [leaf]) { _ in } }
        #expect(unrecorded.isLeaf && !unrecorded.requiresGrad)
    }

    @Test func gradientsAccumulateAcrossUsesAndGraphIsFreed() {
        let leaf = Variable(Tensor(shape: [1], scalars: [3]), requiresGrad: true)
        // y = identity(x) used twice through two recorded nodes: dy/dx sums to 2.
        func identity(_ x: Variable) -> Variable {
            Variable.record(x.value, inputs: [x]) { g in x.accumulateGrad(g) }
        }
        let a = identity(leaf), b = identity(leaf)
        let total = Variable.record(a.value, inputs: [a, b]) { g in
            a.accumulateGrad(g); b.accumulateGrad(g)
        }
        total.backward()
        #expect(leaf.grad?.scalars == [2])
        #expect(a.inputs.isEmpty && a.grad == nil)
        total.backward()  // graph already used: nothing more reaches the leaf
        #expect(leaf.grad?.scalars == [2])
    }
}
