import Engine
import Layers

/// The Conv-TT-LSTM cell (Su et al. 2020) as NVlabs' `code/convlstmcell.py` computes it
/// (SPEC §10.2): a convolutional tensor-train over the layer's last S hidden states replaces
/// the LSTM's single recurrent input. With order K and lags G = S − K + 1:
///
///     A_j = layers_.j(Hist[j], …, Hist[j+G−1])         # Conv3d, lag last: window j, oldest first
///     T = A_0;   T = A_j + layers.(j−1)(T)   for j = 1…K−1
///     i, f, o, g = split4(layers.(K−1)([x, T]))
///     C' = σ(f) ⊙ C + σ(i) ⊙ tanh(g),   H' = σ(o) ⊙ tanh(C')
///     Hist ← [Hist[1], …, Hist[S−1], H']
///
/// The official ring buffer with its pointer advanced modulo S lists exactly this history;
/// NVlabs' `eval_paper/` advances it modulo K, which differs when S > K (we follow `code/`).
public final class ConvTTLSTMCell: Layer {
    public let hiddenChannels: Int
    public let order: Int
    public let steps: Int
    let kernelSize: Int
    /// `layers_.j.weight [R, N, k, k, G]` (lag last) and its bias `[R]`, j < K.
    let windowWeights: [Variable]
    let windowBiases: [Variable]
    /// `layers.j`, j < K − 1: R → R, the tensor-train chain.
    let chain: [Conv2D]
    /// `layers.(K−1)`: [x, T] → the four gates.
    let gates: Conv2D

    public struct State {
        /// The layer's last S hidden states, oldest first.
        public var history: [Variable]
        public var cell: Variable

        public init(history: [Variable], cell: Variable) {
            self.history = history
            self.cell = cell
        }
    }

    public init(inputChannels: Int, hiddenChannels n: Int, options: ConvTTLSTMOptions, kernelSize k: Int,
                using random: inout RandomGenerator) {
        precondition(options.order >= 1 && options.steps >= options.order && options.ranks >= 1,
                     "ConvTTLSTMCell: needs 1 ≤ order ≤ steps and ranks ≥ 1, got \(options)")
        hiddenChannels = n
        order = options.order
        steps = options.steps
        kernelSize = k
        let (ranks, lags) = (options.ranks, options.steps - options.order + 1)
        // PyTorch's module order: layers.0…K−1 first, then layers_.0…K−1.
        chain = (0..<(order - 1)).map { _ in Conv2D(ranks, ranks, kernelSize: k, bias: true, using: &random) }
        gates = Conv2D(inputChannels + ranks, 4 * n, kernelSize: k, bias: true, using: &random)
        var weights: [Variable] = [], biases: [Variable] = []
        for _ in 0..<order {
            let (weight, bias) = makeConvolutionParameters([ranks, n, k, k, lags], transposed: false, bias: true,
                                                           using: &random)
            weights.append(weight)
            biases.append(bias!)
        }
        windowWeights = weights
        windowBiases = biases
    }

    public var namedParameters: [(name: String, parameter: Variable)] {
        chain.enumerated().flatMap { prefixed("layers.\($0.offset)", $0.element) }
            + prefixed("layers.\(order - 1)", gates)
            + windowWeights.indices.flatMap {
                [("layers_.\($0).weight", windowWeights[$0]), ("layers_.\($0).bias", windowBiases[$0])]
            }
    }

    /// One step. Returns the new state (history advanced) and the output gate σ(o).
    public func callAsFunction(_ x: Variable, _ state: State) -> (State, outputGate: Variable) {
        precondition(state.history.count == steps, "ConvTTLSTMCell: history of \(state.history.count) states, expected \(steps)")
        var tensorTrain: Variable?
        for j in 0..<order {
            let window = windowOutput(j, state.history)
            tensorTrain = tensorTrain.map { window + chain[j - 1]($0) } ?? window
        }
        let g = chunk(gates(concat([x, tensorTrain!], axis: 1)), 4, axis: 1)
        let o = sigmoid(g[2])
        let cell = sigmoid(g[1]) * state.cell + sigmoid(g[0]) * tanh(g[3])
        let hidden = o * tanh(cell)
        return (State(history: Array(state.history.dropFirst()) + [hidden], cell: cell), o)
    }

    /// A_j: the Conv3d over window j (lag last) as the equivalent Conv2d over the window's states
    /// stacked along channels, with weight W2[o, g·N + c] = W[o, c, :, :, g].
    private func windowOutput(_ j: Int, _ history: [Variable]) -> Variable {
        let weight = windowWeights[j]
        let (ranks, lags) = (weight.shape[0], weight.shape[4])
        let stacked = concat(Array(history[j..<(j + lags)]), axis: 1)
        let folded = permute(weight, [0, 4, 1, 2, 3]).reshaped([ranks, lags * hiddenChannels, kernelSize, kernelSize])
        return conv2d(stacked, weight: folded, bias: windowBiases[j], padding: kernelSize / 2)
    }
}

/// Conv-TT-LSTM's hyper-parameters besides the layer widths (SPEC §10.2; NVlabs' values by
/// default).
public struct ConvTTLSTMOptions: Codable, Equatable, Sendable {
    /// Order K: the number of windows in the tensor-train chain.
    public var order: Int
    /// Steps S: how many past hidden states the layer keeps (lags G = S − K + 1 per window).
    public var steps: Int
    /// Ranks R: channels of the tensor-train.
    public var ranks: Int
    /// Kernel of every convolution of the cell; nil uses the model's filter size.
    public var kernelSize: Int?

    public init(order: Int = 3, steps: Int = 3, ranks: Int = 8, kernelSize: Int? = nil) {
        self.order = order
        self.steps = steps
        self.ranks = ranks
        self.kernelSize = kernelSize
    }
}
