import Engine

/// PyTorch's default parameter initialisation (`reset_parameters` of Conv2d, Conv3d,
/// ConvTranspose2d and LayerNorm), drawn from our own seeded generator: the distributions match
/// PyTorch, the individual values do not (different random streams).
public enum Initialization {
    /// PyTorch's fan-in of a convolution weight: always `shape[1] · ∏ kernel`. For Conv2d/Conv3d
    /// (`[out, in, k…]`) that is in·∏k; for ConvTranspose (`[in, out, k…]`) PyTorch still reads
    /// dimension 1, so it is out·∏k. `transposed` only documents the layout at the call site.
    public static func fanIn(ofConvWeight shape: [Int], transposed: Bool) -> Int {
        precondition(shape.count >= 2,
                     "Initialization.fanIn: a \(transposed ? "transposed " : "")convolution weight "
                         + "needs rank >= 2, got shape \(shape)")
        return shape.dropFirst().reduce(1, *)
    }

    /// Number of output channels (the bias length) of a convolution weight.
    public static func outputChannels(ofConvWeight shape: [Int], transposed: Bool) -> Int {
        precondition(shape.count >= 2,
                     "Initialization.outputChannels: weight needs rank >= 2, got shape \(shape)")
        return transposed ? shape[1] : shape[0]
    }

    /// `kaiming_uniform_(w, a: √5)`: gain √(2 / (1 + a²)) = √(1/3), bound = √3 · gain / √fan_in,
    /// which simplifies to 1/√fan_in; values U(−bound, bound).
    public static func kaimingUniformConvWeight(shape: [Int], fanIn: Int,
                                                using generator: inout RandomGenerator) -> Tensor {
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return Tensor.uniform(shape: shape, low: -bound, high: bound, using: &generator)
    }

    /// Convolution bias: U(−1/√fan_in, 1/√fan_in) (zero bound when fan_in is 0, as PyTorch).
    public static func convBias(count: Int, fanIn: Int,
                                using generator: inout RandomGenerator) -> Tensor {
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return Tensor.uniform(shape: [count], low: -bound, high: bound, using: &generator)
    }

    /// Weight and (optional) bias of a convolution, drawn in PyTorch's order (weight first).
    public static func convParameters(weightShape: [Int], transposed: Bool, bias: Bool,
                                      using generator: inout RandomGenerator)
        -> (weight: Tensor, bias: Tensor?)
    {
        let fanIn = fanIn(ofConvWeight: weightShape, transposed: transposed)
        let weight = kaimingUniformConvWeight(shape: weightShape, fanIn: fanIn, using: &generator)
        guard bias else { return (weight, nil) }
        let count = outputChannels(ofConvWeight: weightShape, transposed: transposed)
        return (weight, convBias(count: count, fanIn: fanIn, using: &generator))
    }

    /// LayerNorm's elementwise affine weight: ones.
    public static func layerNormWeight(shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// LayerNorm's elementwise affine bias: zeros.
    public static func layerNormBias(shape: [Int]) -> Tensor { Tensor(zeros: shape) }
}
