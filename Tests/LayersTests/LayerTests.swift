import Engine
import Layers
import Testing

@Suite struct LayerTests {
    final class TwoParameters: Layer {
        let a = Variable(Tensor(zeros: [2]), requiresGrad: true, name: "a")
        let b = Variable(Tensor(zeros: [3]), requiresGrad: true, name: "b")
        var namedParameters: [(name: String, parameter: Variable)] { [("a", a), ("b", b)] }
    }

    @Test func parametersKeepTheirOrder() {
        let layer = TwoParameters()
        #expect(layer.parameters.map(\.shape) == [[2], [3]])
    }
}
