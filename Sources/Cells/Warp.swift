import Engine
import Layers

/// MotionRNN's Warp (SPEC §4.1): a modulated deformable 3×3 convolution. Each pixel samples its 9
/// neighbours at positions moved by the motion filter, gates each sample by a learned mask, and
/// mixes them with a 3×3 kernel. Official names: `conv.weight`, `warp_gate.weight/bias`.
public final class Warp: Layer {
    /// `[out, in, 3, 3]`, applied to the sampled neighbourhoods (official: stride-3 conv).
    public let convolution: Variable
    let warpGate: Conv2D

    public init(inputChannels: Int, outputChannels: Int, using random: inout RandomGenerator) {
        (convolution, _) = makeConvolutionParameters(
            [outputChannels, inputChannels, 3, 3], transposed: false, bias: false, using: &random)
        warpGate = Conv2D(inputChannels, 9, kernelSize: 3, bias: true, using: &random)
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        [("conv.weight", convolution)] + prefixed("warp_gate", warpGate)
    }

    /// `x [B, C, h, w]`, `motionFilter [B, 18, h, w]` (row offsets of the 9 neighbours, then
    /// column offsets).
    public func callAsFunction(_ x: Variable, motionFilter: Variable) -> Variable {
        let mask = sigmoid(warpGate(x))
        let samples = deformableSample(x, offsets: motionFilter, mask: mask)   // [B, C·9, h, w]
        // Sample channel c·9 + n meets weight[:, c, a, b] with n = 3a + b: a 1×1 convolution.
        let outputChannels = convolution.shape[0]
        return conv2d(samples, weight: convolution.reshaped([outputChannels, -1, 1, 1]))
    }
}

extension Warp: ChannelLayoutDescribing {
    /// Its channels are the MotionGRU's, N/4 of the layer width.
    public var channelLayouts: [String: ChannelLayout] {
        convolutionLayouts([("warp_gate", warpGate, .init(output: [.fixed(9)], input: [.quarterWidth]))])
            .merging(["conv.weight": .init(output: [.quarterWidth], input: [.quarterWidth])]) { $1 }
    }
}
