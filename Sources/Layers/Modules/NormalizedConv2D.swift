import Engine

/// A bias-free convolution optionally followed by a LayerNorm over `[out, h, w]` — the gate
/// convolutions of PredRNN-style cells. Parameter names follow the official `nn.Sequential`:
/// `0.weight` for the convolution, `1.weight` / `1.bias` for the norm.
public final class NormalizedConv2D: Layer {
    public let convolution: Conv2D
    public let norm: LayerNorm?

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1,
                layerNormShape: (height: Int, width: Int)?, using random: inout RandomGenerator) {
        convolution = Conv2D(inputChannels, outputChannels, kernelSize: kernelSize, stride: stride,
                             bias: false, using: &random)
        norm = layerNormShape.map {
            LayerNorm(normalizedShape: [outputChannels, $0.height, $0.width])
        }
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        prefixed("0", convolution) + (norm.map { prefixed("1", $0) } ?? [])
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        let y = convolution(x)
        return norm.map { $0(y) } ?? y
    }
}
