import Engine
import Layers

/// A stacked recurrent predictor (ConvLSTM, PredRNN, MIM, E3D-LSTM, TrajGRU, Conv-TT-LSTM) seen one layer-step at a
/// time, so that the MotionRNN framework can sit between its layers (paper Eq. 1) without
/// changing its state transitions.
///
/// States live in a `State` value created fresh for each sequence (zeros, SPEC §8); streams that
/// cross layers — PredRNN's zig-zag memory, MIM's difference stream, E3D-LSTM's global memory —
/// are part of it, so the framework never needs to know about them.
public protocol Backbone: Layer {
    associatedtype State

    /// Hidden channels of each layer, bottom first.
    var hiddenChannels: [Int] { get }
    /// Channels of one model-space frame (`p²·C` after patching).
    var frameChannels: Int { get }
    /// How hidden states (and layer 0's input) are laid out, so that MotionRNN builds modules of
    /// the matching kind. Defaults to `.planar`.
    var hiddenLayout: HiddenLayout { get }

    /// The zero state for a batch of frames of `height × width` (patch space).
    func initialState(batch: Int, height: Int, width: Int) -> State

    /// Turns the step's frame `[B, Cp, h, w]` into the input of layer 0 (E3D-LSTM builds its
    /// temporal window here; the others pass the frame on).
    func layerZeroInput(frame: Variable, state: inout State) -> Variable

    /// Whether `step` returns an output gate, which the Motion Highway needs (TrajGRU has none).
    /// Defaults to true.
    var hasOutputGate: Bool { get }

    /// Runs layer `layer` on `input` (the frame for layer 0, the layer below's hidden state
    /// otherwise) and returns its new hidden state and its output gate (nil exactly when
    /// `hasOutputGate` is false).
    func step(layer: Int, input: Variable, state: inout State) -> (hidden: Variable, outputGate: Variable?)

    /// Replaces layer `layer`'s hidden state with the one MotionRNN made of it (highway added,
    /// motion-corrected): as in the official code, that is what the layer carries to its next step.
    func replaceHidden(layer: Int, with hidden: Variable, state: inout State)

    /// The predicted frame `[B, Cp, h, w]` from the top layer's hidden state.
    func frame(fromTopHidden hidden: Variable) -> Variable

    /// Asks a fresh state to collect, over the sequence, the term the backbone adds to the
    /// training loss (PredRNN-v2's decoupling loss): only training needs it. Defaults to nothing.
    func collectAuxiliaryLoss(in state: inout State)

    /// That term after a whole sequence, already weighted, or nil (not asked for, or a backbone
    /// without one). Defaults to nil.
    func auxiliaryLoss(_ state: State) -> Variable?
}

extension Backbone {
    public var layerCount: Int { hiddenChannels.count }
    public var hiddenLayout: HiddenLayout { .planar }
    public var hasOutputGate: Bool { true }
    public func collectAuxiliaryLoss(in state: inout State) {}
    public func auxiliaryLoss(_ state: State) -> Variable? { nil }
}

/// The layout of a backbone's hidden states and of its layer-0 input.
public enum HiddenLayout: Equatable, Sendable {
    /// Images `[B, N, h, w]` (ConvLSTM, PredRNN, MIM).
    case planar
    /// A temporal window of `length` frames `[B, N, length, h, w]`, depth index 0 the older
    /// (E3D-LSTM). MotionRNN folds the window into one image around its MotionGRU.
    case window(length: Int)
}

/// A module with one input and one output, whichever of the convolution types it is: lets the
/// MotionRNN parts hold the 2-D or the 3-D variant of a module under the same official name.
public protocol UnaryModule: Layer {
    func callAsFunction(_ x: Variable) -> Variable
}

extension Conv2D: UnaryModule {}
extension Conv3D: UnaryModule {}
extension ConvTranspose2D: UnaryModule {}

extension HiddenLayout {
    /// A bias-free pointwise convolution from `inputs` to `outputs` channels in this layout
    /// (MotionRNN's `conv_first_v`, which turns layer 0's input into the first highway).
    public func pointwiseConvolution(_ inputs: Int, _ outputs: Int,
                                     using random: inout RandomGenerator) -> any UnaryModule {
        switch self {
        case .planar:
            return Conv2D(inputs, outputs, kernelSize: 1, bias: false, using: &random)
        case .window:
            return Conv3D(inputs, outputs, kernelSize: (1, 1, 1), bias: false, using: &random)
        }
    }
}

// MARK: Stacks of cells (ConvLSTM, PredRNN, TrajGRU, Conv-TT-LSTM, E3D-LSTM)

/// The input channels of each layer of a stack: the frame's for layer 0, the hidden state of the
/// layer below otherwise.
public func stackedInputChannels(frameChannels: Int, hiddenChannels: [Int]) -> [Int] {
    [frameChannels] + hiddenChannels.dropLast()
}

/// `conv_last`: the top layer's hidden state to a frame, 1×1 without bias.
public func frameOutputConvolution(hiddenChannels: [Int], frameChannels: Int,
                                   using random: inout RandomGenerator) -> Conv2D {
    Conv2D(hiddenChannels.last!, frameChannels, kernelSize: 1, bias: false, using: &random)
}

/// The official names of a stack: `cell_list.l.*`, then `conv_last.*`.
public func cellListParameters(_ cells: [any Layer], outputConvolution: any Layer) -> [(name: String, parameter: Variable)] {
    cells.enumerated().flatMap { prefixed("cell_list.\($0.offset)", $0.element) }
        + prefixed("conv_last", outputConvolution)
}

/// The channel layouts of a stack (for `WidthGrowth`): `cell_list.l.*`, layer 0 fed the frame and
/// the others the hidden state below, then `conv_last` (N → Cp).
func cellListLayouts(_ cells: [(_ input: ChannelBlock) -> [String: ChannelLayout]], frameChannels: Int,
                     outputConvolution: Conv2D) -> [String: ChannelLayout] {
    var layouts = convolutionLayouts([("conv_last", outputConvolution, .init(output: [.fixed(frameChannels)], input: [.width]))])
    for (index, cell) in cells.enumerated() {
        layouts.merge(prefixedLayouts("cell_list.\(index)", cell(index == 0 ? .fixed(frameChannels) : .width))) { $1 }
    }
    return layouts
}
