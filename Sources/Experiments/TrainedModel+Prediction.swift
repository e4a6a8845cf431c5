import Engine
import Imaging
import Training

extension TrainedModel {
    /// How frames must be prepared for this model: its channel count, the centre crop it was
    /// trained with, its frame size.
    public var frameTransform: FrameTransform {
        let m = experiment.model
        return FrameTransform(channels: m.imageChannels,
                              crop: experiment.centerCropFraction.map { .centerFraction($0) },
                              resize: (m.imageWidth, m.imageHeight))
    }

    /// The frames that follow `context`: exactly the model's input length of frames, prepared
    /// with `frameTransform`. Returns `count` frames (default: the model's output length, what it
    /// was trained to predict); a recurrent model goes on feeding on its own predictions for
    /// more, and the first frames do not depend on how many follow.
    public func predict(following context: [Image], count: Int? = nil) throws -> [Image] {
        let m = experiment.model
        guard context.count == m.inputLength else {
            throw ExperimentError("the model continues \(m.inputLength) frames, got \(context.count)")
        }
        let count = count ?? m.totalLength - m.inputLength
        guard count >= 1 else { throw ExperimentError("frames to predict must be at least 1, got \(count)") }
        for frame in context where frame.width != m.imageWidth || frame.height != m.imageHeight
            || frame.channels != m.imageChannels {
            throw ExperimentError("the model takes \(m.imageWidth)×\(m.imageHeight) frames with \(m.imageChannels) channel(s), got \(frame.width)×\(frame.height) with \(frame.channels) (prepare them with frameTransform)")
        }
        // The model predicts T − 1 frames from a T-frame sequence; frames after the context are
        // unknown, so they are zeros that it never sees (its own predictions replace them).
        let sequence = Tensor(frames: context)
        var batch = Tensor(zeros: [1, m.inputLength + count, m.imageHeight, m.imageWidth, m.imageChannels])
        batch.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: sequence.pointer, count: sequence.count) }
        let (_, prediction) = Evaluator.predict(model, batch: batch, inputLength: m.inputLength, patchSize: m.patchSize)
        return Image.frames(sequence: prediction.reshaped(Array(prediction.shape.dropFirst())))
    }
}
