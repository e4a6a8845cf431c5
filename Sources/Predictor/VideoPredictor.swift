import Cells
import Engine
import Layers

/// A backbone unrolled over a sequence, with the MotionRNN framework around it (SPEC §2, §5, §6).
///
/// At each step t the frame input is the true frame inside the input window, afterwards the
/// scheduled-sampling mix of the true frame and the previous prediction; every layer runs, with
/// the Motion Highway added to its hidden state and a MotionGRU transition between it and the
/// next layer; the top layer's hidden state gives the prediction of frame t+1.
///
/// The MotionRNN modules follow the backbone's `hiddenLayout`: on windowed hidden states
/// (E3D-LSTM) `conv_first_v` is a 1×1×1 Conv3d and each transition folds the window around its
/// MotionGRU (see `MotionTransition`); the parameter names stay the official ones.
public final class VideoPredictor<B: Backbone>: Layer {
    public let backbone: B
    public let options: MotionRNNOptions
    /// `conv_first_v`: layer 0's input seen by its highway (pointwise, Cp → N, no bias; a
    /// 1×1×1 Conv3d over the window for windowed backbones).
    let highwayInput: (any UnaryModule)?
    /// `transitions[l]` sits between layer l and l+1.
    let transitions: [MotionTransition]

    public init(backbone: B, options: MotionRNNOptions, filterSize: Int, using random: inout RandomGenerator) {
        self.backbone = backbone
        self.options = options
        let widths = backbone.hiddenChannels
        // A backbone without an output gate (TrajGRU) has no highway term (SPEC §10.3).
        let highway = options.highway && backbone.hasOutputGate
        precondition(!highway || widths.allSatisfy { $0 == widths[0] },
                     "VideoPredictor: the Motion Highway adds each layer's hidden state to the next one's, so it needs equal layer widths, got \(widths)")
        transitions = options.usesMotionGRU
            ? widths.dropLast().map {
                MotionTransition(channels: $0, filterSize: filterSize, layout: backbone.hiddenLayout,
                                 alpha: options.alpha, transient: options.transient, trend: options.trend,
                                 bound: options.bound, using: &random)
            }
            : []
        highwayInput = highway
            ? backbone.hiddenLayout.pointwiseConvolution(backbone.frameChannels, widths[0], using: &random)
            : nil
    }

    /// Called after each MotionGRU step with (time step, layer, its new filter and trend) —
    /// for pictures of the learned motion (paper Fig. 9). Nil by default: no cost.
    public var motionObserver: MotionObserver?

    public var namedParameters: [(name: String, parameter: Variable)] {
        backbone.namedParameters
            + transitions.enumerated().flatMap { $0.element.namedParameters(index: $0.offset) }
            + (highwayInput.map { prefixed("conv_first_v", $0) } ?? [])
    }

    /// Predicts frames 1…T−1 from `frames [B, T, h, w, Cp]` (patch space, channels last, as the
    /// official trainer feeds them). `mask [B, T − inputLength − 1, h, w, Cp]` selects, per
    /// element, the true frame (1) or the model's own prediction (0) after the input window;
    /// nil means 0 everywhere (testing). Returns `[B, T − 1, h, w, Cp]`.
    public func callAsFunction(frames: Variable, mask: Variable?, inputLength: Int) -> Variable {
        run(frames: frames, mask: mask, inputLength: inputLength, withAuxiliaryLoss: false).predictions
    }

    /// The predictions, and with `withAuxiliaryLoss` the backbone's auxiliary loss over the
    /// sequence (`Backbone.auxiliaryLoss`).
    func run(frames: Variable, mask: Variable?, inputLength: Int,
             withAuxiliaryLoss: Bool) -> (predictions: Variable, auxiliaryLoss: Variable?) {
        Shape.check("VideoPredictor", frames.shape, rank: 5, "frames")
        let (batch, length, height, width, channels) =
            (frames.shape[0], frames.shape[1], frames.shape[2], frames.shape[3], frames.shape[4])
        precondition(channels == backbone.frameChannels,
                     "VideoPredictor: frames \(frames.shape) have \(channels) channels, the model expects \(backbone.frameChannels)")
        precondition(inputLength >= 1 && inputLength < length,
                     "VideoPredictor: input length \(inputLength) must be in 1..<\(length) (frames \(frames.shape))")
        if let mask {
            Shape.check("VideoPredictor", mask.shape,
                        equals: [batch, length - inputLength - 1, height, width, channels], "mask")
        }
        let sequence = permute(frames, [0, 1, 4, 2, 3])            // [B, T, Cp, h, w]
        let masks = mask.map { permute($0, [0, 1, 4, 2, 3]) }

        var state = backbone.initialState(batch: batch, height: height, width: width)
        if withAuxiliaryLoss { backbone.collectAuxiliaryLoss(in: &state) }
        var motion = transitions.map { _ in
            MotionTransition.initialState(batch: batch, height: height, width: width)
        }
        var predictions: [Variable] = []
        for t in 0..<(length - 1) {
            let frame = select(sequence, index: t, axis: 1)
            var net = frame
            if t >= inputLength, let previous = predictions.last {
                if let masks {
                    let m = select(masks, index: t - inputLength, axis: 1)
                    net = m * frame + (1 - m) * previous
                } else {
                    net = previous
                }
            }
            var input = backbone.layerZeroInput(frame: net, state: &state)
            var below = highwayInput.map { $0(input) }
            for layer in 0..<backbone.layerCount {
                var (hidden, outputGate) = backbone.step(layer: layer, input: input, state: &state)
                // Both MotionRNN parts change the layer's hidden state, which the layer then also
                // carries on in time (as the official code does).
                if let highway = below, let outputGate {
                    hidden = motionHighway(hidden, outputGate: outputGate, below: highway)
                    below = hidden   // the next highway takes the state before the motion correction
                }
                if layer < transitions.count {
                    hidden = transitions[layer](hidden, state: &motion[layer])
                    motionObserver?(t, layer, motion[layer])
                }
                if highwayInput != nil || layer < transitions.count {
                    backbone.replaceHidden(layer: layer, with: hidden, state: &state)
                }
                input = hidden
            }
            predictions.append(backbone.frame(fromTopHidden: input))
        }
        return (permute(stack(predictions, axis: 1), [0, 1, 3, 4, 2]),   // [B, T−1, h, w, Cp]
                backbone.auxiliaryLoss(state))
    }
}

extension VideoPredictor: ChannelLayoutDescribing where B: ChannelLayoutDescribing {
    public var channelLayouts: [String: ChannelLayout] {
        var layouts = backbone.channelLayouts
        for (index, transition) in transitions.enumerated() {
            layouts.merge(transition.channelLayouts(index: index)) { $1 }
        }
        if let highwayInput {
            layouts.merge(convolutionLayouts([
                ("conv_first_v", highwayInput, .init(output: [.width], input: [.fixed(backbone.frameChannels)])),
            ])) { $1 }
        }
        return layouts
    }
}
