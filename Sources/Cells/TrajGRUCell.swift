import Engine
import Layers

/// The TrajGRU cell (Shi et al. 2017) as HKO-7 computes it (SPEC §10.1), with the PyTorch port's
/// parameter names:
///
///     i_r, i_u, i_m = split3(i2h(x))
///     F   = flows_conv(leaky(i2f_conv1(x) + h2f_conv1(H)))          # 2L flow channels
///     W_j = warp(H, −F[2j], −F[2j+1])                                # j = 0…L−1, zeros outside
///     h_r, h_u, h_m = split3(ret([W_0, …, W_{L−1}]))
///     r = σ(i_r + h_r),  u = σ(i_u + h_u),  m = leaky(i_m + r ⊙ h_m)
///     H' = u ⊙ H + (1 − u) ⊙ m
///
/// The state is H alone: no cell state, no output gate (so MotionRNN adds no highway to it).
public final class TrajGRUCell: Layer {
    public let hiddenChannels: Int
    public let links: Int
    let leakySlope: Float
    let inputToHidden: Conv2D      // i2h: in → 3N
    let inputToFlow: Conv2D        // i2f_conv1: in → flow width
    let hiddenToFlow: Conv2D       // h2f_conv1: N → flow width
    let flowOutput: Conv2D         // flows_conv: flow width → 2L
    let linksToHidden: Conv2D      // ret: L·N → 3N, 1×1

    /// Official initialisation (HKO-7): weights MSRAPrelu(slope), biases 0, and `flows_conv`
    /// entirely zero so that every flow starts at 0 and the warp at the identity.
    public init(inputChannels: Int, hiddenChannels n: Int, options: TrajGRUOptions, links: Int,
                using random: inout RandomGenerator) {
        hiddenChannels = n
        self.links = links
        leakySlope = options.leakySlope
        inputToHidden = Conv2D(inputChannels, 3 * n, kernelSize: options.inputKernel, bias: true, using: &random)
        inputToFlow = Conv2D(inputChannels, options.flowChannels, kernelSize: options.flowKernel, bias: true, using: &random)
        hiddenToFlow = Conv2D(n, options.flowChannels, kernelSize: options.flowKernel, bias: true, using: &random)
        flowOutput = Conv2D(options.flowChannels, 2 * links, kernelSize: options.flowKernel, bias: true, using: &random)
        linksToHidden = Conv2D(links * n, 3 * n, kernelSize: 1, bias: true, using: &random)
        for convolution in [inputToHidden, inputToFlow, hiddenToFlow, linksToHidden] {
            convolution.weight.assign(Self.msraPReLU(convolution.weight.shape, slope: options.leakySlope, using: &random))
            convolution.bias?.assign(Tensor(zeros: convolution.bias!.shape))
        }
        flowOutput.weight.assign(Tensor(zeros: flowOutput.weight.shape))
        flowOutput.bias?.assign(Tensor(zeros: flowOutput.bias!.shape))
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        prefixed("i2h", inputToHidden) + prefixed("i2f_conv1", inputToFlow) + prefixed("h2f_conv1", hiddenToFlow)
            + prefixed("flows_conv", flowOutput) + prefixed("ret", linksToHidden)
    }

    /// One step: the new hidden state from input `x [B, in, h, w]` and `hidden [B, N, h, w]`.
    public func callAsFunction(_ x: Variable, hidden: Variable) -> Variable {
        let i = chunk(inputToHidden(x), 3, axis: 1)
        let flows = flowOutput(leakyReLU(inputToFlow(x) + hiddenToFlow(hidden), negativeSlope: leakySlope))
        // HKO-7 warps with the negated flow: link j samples H at (x − F[2j], y − F[2j+1]).
        let h = chunk(linksToHidden(flowWarp(hidden, flows: -flows)), 3, axis: 1)
        let r = sigmoid(i[0] + h[0])
        let u = sigmoid(i[1] + h[1])
        let m = leakyReLU(i[2] + r * h[2], negativeSlope: leakySlope)
        return u * hidden + (1 - u) * m
    }

    /// MXNet's MSRAPrelu: N(0, σ²) with σ² = 2 / (1 + slope²) / ((fan_in + fan_out) / 2).
    static func msraPReLU(_ shape: [Int], slope: Float, using random: inout RandomGenerator) -> Tensor {
        let receptive = shape.dropFirst(2).reduce(1, *)
        let fanAverage = Float((shape[0] + shape[1]) * receptive) / 2
        let std = (2 / (1 + slope * slope) / fanAverage).squareRoot()
        return Tensor.normal(shape: shape, std: std, using: &random)
    }
}

/// TrajGRU's hyper-parameters besides the layer widths (SPEC §10.1; HKO-7's values by default).
public struct TrajGRUOptions: Codable, Equatable, Sendable {
    /// Links (flow fields) per layer, bottom first; one value applies to every layer.
    public var links: [Int]
    /// Kernel of `i2h`, the input-to-gates convolution.
    public var inputKernel: Int
    /// Width of the flow generator (`i2f_conv1`, `h2f_conv1`).
    public var flowChannels: Int
    /// Kernel of the flow generator's three convolutions.
    public var flowKernel: Int
    /// Negative slope of the LeakyReLUs.
    public var leakySlope: Float

    public init(links: [Int] = [13], inputKernel: Int = 3, flowChannels: Int = 32, flowKernel: Int = 5,
                leakySlope: Float = 0.2) {
        self.links = links
        self.inputKernel = inputKernel
        self.flowChannels = flowChannels
        self.flowKernel = flowKernel
        self.leakySlope = leakySlope
    }

    /// The links of layer `layer` of a stack of `layerCount`.
    public func links(layer: Int) -> Int { links.count == 1 ? links[0] : links[layer] }
}
