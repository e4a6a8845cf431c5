import DataSources
import Engine
import Foundation
import Imaging

/// Warnings for `predict` when its input is far from what the model was trained on: colour
/// dropped for a grey model, frames shrunk or blown up a lot to the model's size, intensities
/// unlike the training frames'. A model says nothing useful about such input, and the user
/// should know before reading its output.
public enum InputCheck {
    /// `context` are the frames the model will see (already converted to its size and
    /// channels); the input's first frame is read again as it is to judge colour and size.
    public static func warnings(for input: URL, context: [Image], start: Int, frameStride: Int,
                                model trained: TrainedModel) throws -> [String] {
        let m = trained.experiment.model
        var warnings: [String] = []
        if let original = try FrameSource.load(input, start: start, stride: frameStride, limit: 1).first {
            if m.imageChannels == 1 && hasColour(original) {
                warnings.append("\(input.path) is in colour; the model was trained on grey frames, so the colour is dropped")
            }
            let scale = max(Double(original.width) / Double(m.imageWidth), Double(original.height) / Double(m.imageHeight))
            if scale > 4 || scale < 0.25 {
                warnings.append("frames of \(original.width)×\(original.height) are resized to the model's \(m.imageWidth)×\(m.imageHeight); the model was trained at that size, so what it learned of motion is on that scale")
            }
        }
        if let training = try trainingStatistics(trained) {
            let seen = FrameStatistics(frames: Tensor(frames: context))
            for difference in training.differences(from: seen) {
                warnings.append("the input looks unlike the training data (\(trained.experiment.data)): \(difference)")
            }
        }
        return warnings
    }

    /// Whether a 3-channel frame has visible colour (video codecs leave grey pixels a few
    /// levels off grey, hence the tolerance of 8 levels on more than 1 % of pixels).
    static func hasColour(_ image: Image) -> Bool {
        guard image.channels == 3 else { return false }
        var coloured = 0
        for pixel in 0..<image.pixelCount {
            let i = pixel * 3
            let (r, g, b) = (Int(image.bytes[i]), Int(image.bytes[i + 1]), Int(image.bytes[i + 2]))
            if max(abs(r - g), abs(g - b), abs(r - b)) > 8 { coloured += 1 }
        }
        return coloured * 100 > image.pixelCount
    }

    /// Recorded in pretrained files; measured on a few sequences for generated data.
    static func trainingStatistics(_ trained: TrainedModel) throws -> FrameStatistics? {
        if let recorded = trained.trainingFrames { return recorded }
        switch trained.experiment.data {
        case .vmnist, .radar:
            return try FrameStatistics(of: trained.experiment.data.datasets(trained.experiment.dataOptions).train, sequences: 16)
        case .movingMNIST, .frames:
            return nil  // decoding a whole file set to check a warning is not worth it
        }
    }
}
