import ArgumentParser
import Engine
import Experiments
import Foundation
import Imaging
import Predictor
import Training

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict the frames that follow a sequence, with a trained run.",
        discussion: """
            INPUT is a folder of frames, a video, or a single image file; its last <input length> \
            frames (after --start/--frame-stride) are resized to the model's frame size. Writes \
            one PNG per predicted frame, an animated GIF (input then prediction) and a strip.
            """)

    @Argument(help: "The run folder written by `motionrnn train`.") var runFolder: String
    @Argument(help: "Frames to continue: a folder of images or a video file.") var input: String
    @Option(help: "Output folder (default: <run>/predictions).") var output: String?
    @Option(help: "A checkpoint's .json in the run (default: the newest).") var checkpoint: String?
    @Option(help: "First frame to read.") var start = 0
    @Option(help: "Take every N-th frame.") var frameStride = 1

    func run() throws {
        let runURL = URL(fileURLWithPath: runFolder)
        let trained = try TrainedModel(run: runURL, checkpoint: checkpoint.map { URL(fileURLWithPath: $0) })
        let m = trained.experiment.model
        let transform = FrameTransform(channels: m.imageChannels,
                                       crop: trained.experiment.centerCropFraction.map { .centerFraction($0) },
                                       resize: (m.imageWidth, m.imageHeight))
        let frames = try FrameSource.load(URL(fileURLWithPath: input), transform: transform,
                                          start: start, stride: frameStride)
        guard frames.count >= m.inputLength else {
            throw ValidationError("\(input): \(frames.count) frames, the model needs \(m.inputLength) input frames")
        }
        let context = Array(frames.suffix(m.inputLength))
        // The model predicts T − 1 frames from a T-frame sequence; frames after the input are
        // unknown, so they are zeros that it never sees (its own predictions replace them).
        let sequence = Tensor(frames: context)
        let batch = Tensor(zeros: [1, m.totalLength, m.imageHeight, m.imageWidth, m.imageChannels])
        batch.mutablePointer.update(from: sequence.pointer, count: sequence.count)
        let (_, prediction) = Evaluator.predict(trained.model, batch: batch, configuration: m)
        let predicted = Image.frames(sequence: prediction.reshaped(Array(prediction.shape.dropFirst())))

        let folder = URL(fileURLWithPath: output ?? runURL.appendingPathComponent("predictions").path)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, frame) in predicted.enumerated() {
            try PNG.write(frame, to: folder.appendingPathComponent(String(format: "predicted-%02d.png", index + 1)))
        }
        try GIF.write((context + predicted).map { $0.upscaled(by: 2) }, to: folder.appendingPathComponent("sequence.gif"))
        try PNG.write(Strip.render(rows: [context, predicted], labels: ["input", "prediction"]),
                      to: folder.appendingPathComponent("strip.png"))
        print("\(predicted.count) predicted frames, sequence.gif and strip.png in \(folder.path)")
    }
}
