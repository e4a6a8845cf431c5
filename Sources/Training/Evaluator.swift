import Engine
import Predictor

/// Test-time prediction (SPEC §2, §9): the model sees the input window and then feeds on its own
/// predictions (mask nil), without recording gradients.
public enum Evaluator {
    /// Runs `model` on the image-space `batch [B, T, H, W, C]` and returns, in image space, the
    /// frames of the prediction window `inputLength..<T` — the truth and the model's prediction,
    /// both `[B, T − inputLength, H, W, C]`. Predictions are not clipped (the metrics clip).
    public static func predict(_ model: any SequencePredictor, batch: Tensor, inputLength: Int,
                               patchSize: Int) -> (truth: Tensor, prediction: Tensor) {
        precondition(batch.rank == 5, "Evaluator.predict: batch shape \(batch.shape) is not [B, T, H, W, C]")
        let length = batch.shape[1]
        precondition(inputLength >= 1 && inputLength < length,
                     "Evaluator.predict: inputLength \(inputLength) must be in 1..<\(length) (the batch's T)")
        return withoutGradients {
            let frames = Variable(Patching.patchify(batch, patchSize: patchSize))
            let predicted = model.predict(frames: frames, mask: nil, inputLength: inputLength)
            // Output t − 1 predicts frame t: frames inputLength… are outputs inputLength − 1….
            let window = slice(predicted, range: (inputLength - 1)..<(length - 1), axis: 1)
            let truth = slice(Variable(batch), range: inputLength..<length, axis: 1)
            return (truth.value, Patching.unpatchify(window.value, patchSize: patchSize))
        }
    }

    /// The same, with the lengths and patch size of `configuration`.
    public static func predict(_ model: any SequencePredictor, batch: Tensor,
                               configuration: ModelConfiguration) -> (truth: Tensor, prediction: Tensor) {
        predict(model, batch: batch, inputLength: configuration.inputLength,
                patchSize: configuration.patchSize)
    }
}
