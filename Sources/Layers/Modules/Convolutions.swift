import Engine

/// A 2-D convolution layer with PyTorch's parameter layout (`weight [out, in, k, k]`, `bias [out]`)
/// and default initialisation.
public final class Conv2D: Layer {
    public let weight: Variable
    public let bias: Variable?
    public let stride: Int
    public let padding: Int

    /// `padding` defaults to `kernelSize / 2` ("same" size at stride 1 for odd kernels).
    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1,
                padding: Int? = nil, bias: Bool, using random: inout RandomGenerator) {
        let shape = [outputChannels, inputChannels, kernelSize, kernelSize]
        (weight, self.bias) = makeConvolutionParameters(shape, transposed: false, bias: bias, using: &random)
        self.stride = stride
        self.padding = padding ?? kernelSize / 2
    }

    public var namedParameters: [(name: String, parameter: Variable)] { weightAndBias(weight, bias) }

    public func callAsFunction(_ x: Variable) -> Variable {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// A transposed 2-D convolution (`weight [in, out, k, k]`, PyTorch's ConvTranspose2d).
public final class ConvTranspose2D: Layer {
    public let weight: Variable
    public let bias: Variable?
    public let stride: Int
    public let padding: Int

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int,
                padding: Int, bias: Bool, using random: inout RandomGenerator) {
        let shape = [inputChannels, outputChannels, kernelSize, kernelSize]
        (weight, self.bias) = makeConvolutionParameters(shape, transposed: true, bias: bias, using: &random)
        self.stride = stride
        self.padding = padding
    }

    public var namedParameters: [(name: String, parameter: Variable)] { weightAndBias(weight, bias) }

    public func callAsFunction(_ x: Variable) -> Variable {
        convTranspose2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// A 3-D convolution (`weight [out, in, kd, kh, kw]`), as E3D-LSTM uses over its time window.
public final class Conv3D: Layer {
    public let weight: Variable
    public let bias: Variable?
    public let stride: (Int, Int, Int)
    public let padding: (Int, Int, Int)

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: (Int, Int, Int),
                stride: (Int, Int, Int) = (1, 1, 1), padding: (Int, Int, Int) = (0, 0, 0),
                bias: Bool, using random: inout RandomGenerator) {
        let shape = [outputChannels, inputChannels, kernelSize.0, kernelSize.1, kernelSize.2]
        (weight, self.bias) = makeConvolutionParameters(shape, transposed: false, bias: bias, using: &random)
        self.stride = stride
        self.padding = padding
    }

    public var namedParameters: [(name: String, parameter: Variable)] { weightAndBias(weight, bias) }

    public func callAsFunction(_ x: Variable) -> Variable {
        conv3d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

/// A convolution's weight and optional bias as trainable leaves, PyTorch's default initialisation.
public func makeConvolutionParameters(_ weightShape: [Int], transposed: Bool, bias: Bool,
                                      using random: inout RandomGenerator) -> (Variable, Variable?) {
    let drawn = Initialization.convParameters(weightShape: weightShape, transposed: transposed,
                                              bias: bias, using: &random)
    return (Variable(drawn.weight, requiresGrad: true, name: "weight"),
            drawn.bias.map { Variable($0, requiresGrad: true, name: "bias") })
}

public func weightAndBias(_ weight: Variable, _ bias: Variable?) -> [(name: String, parameter: Variable)] {
    [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
}
