import Engine

/// Layer normalisation over a sample's trailing dimensions (PyTorch `nn.LayerNorm(shape)`):
/// weight starts at one, bias at zero, both with the normalised shape.
public final class LayerNorm: Layer {
    public let weight: Variable
    public let bias: Variable
    public let epsilon: Float

    public init(normalizedShape: [Int], epsilon: Float = 1e-5) {
        weight = Variable(Initialization.layerNormWeight(shape: normalizedShape), requiresGrad: true, name: "weight")
        bias = Variable(Initialization.layerNormBias(shape: normalizedShape), requiresGrad: true, name: "bias")
        self.epsilon = epsilon
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        [("weight", weight), ("bias", bias)]
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        layerNorm(x, weight: weight, bias: bias, normalizedRank: weight.shape.count, epsilon: epsilon)
    }
}
