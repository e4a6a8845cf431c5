import Cells
import Engine
import Layers

/// Any model that turns a frame sequence into its next-frame predictions, whatever its backbone:
/// what `ModelFactory.make` returns, so that tools (verify-reference, info, training) need not
/// know the backbone's type.
public protocol SequencePredictor: Layer {
    /// Predicts frames 1…T−1 from `frames [B, T, h, w, Cp]` (patch space, channels last);
    /// `mask [B, T − inputLength − 1, h, w, Cp]` mixes true frames into the inputs after the
    /// input window (nil: the model feeds on its own predictions). Returns `[B, T − 1, h, w, Cp]`.
    func predict(frames: Variable, mask: Variable?, inputLength: Int) -> Variable

    /// The same, with the term the backbone adds to the training loss (already weighted;
    /// PredRNN-v2's decoupling loss), nil for the others.
    func predictWithAuxiliaryLoss(frames: Variable, mask: Variable?, inputLength: Int)
        -> (predictions: Variable, auxiliaryLoss: Variable?)

    /// Sees the motion filter and trend of every MotionGRU step (nil for plain backbones' runs).
    var motionObserver: MotionObserver? { get set }
}

/// (time step, transition index = the layer below it, its new motion filter F and trend D).
public typealias MotionObserver = (_ step: Int, _ layer: Int, _ state: MotionTransition.State) -> Void

extension VideoPredictor: SequencePredictor {
    public func predict(frames: Variable, mask: Variable?, inputLength: Int) -> Variable {
        self(frames: frames, mask: mask, inputLength: inputLength)
    }

    public func predictWithAuxiliaryLoss(frames: Variable, mask: Variable?, inputLength: Int)
        -> (predictions: Variable, auxiliaryLoss: Variable?)
    {
        run(frames: frames, mask: mask, inputLength: inputLength, withAuxiliaryLoss: true)
    }
}
