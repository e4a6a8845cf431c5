import ArgumentParser
import DataSources
import Engine
import Experiments
import Foundation
import Imaging
import Predictor
import Reports
import Training

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict the frames that follow a sequence, with a trained run or a pretrained model.",
        discussion: """
            motionrnn predict RUN INPUT, or motionrnn predict NAME INPUT for a pretrained model (a \
            shipped name or a file; or --pretrained NAME INPUT). INPUT is a \
            folder of frames, a video, or a single image file; its last <input length> frames \
            (after --start/--frame-stride) are resized to the model's frame size. Writes one PNG \
            per predicted frame, an animated GIF (input then prediction) and a strip, and warns \
            when the input looks unlike the frames the model was trained on.
            """)

    @Argument(help: ArgumentHelp("The run folder written by `motionrnn train` or a pretrained model (omitted with --pretrained), then the frames to continue: a folder of images or a video file.",
                                 valueName: "run-folder> <input"))
    var paths: [String]
    @OptionGroup var choice: ModelChoice
    @Option(help: "Output folder (default: <run>/predictions, or predictions-<name> for --pretrained).") var output: String?
    @Option(help: "First frame to read.") var start = 0
    @Option(help: "Take every N-th frame (default: as the model was trained; 2 for a model trained with --frame-stride 2).")
    var frameStride: Int?
    @Option(help: "Frames to predict (default: as many as the model was trained to predict; beyond that it goes on feeding on its own predictions, untested territory).")
    var frames: Int?

    func validate() throws {
        guard start >= 0 else { throw ValidationError("--start must be 0 or more, got \(start)") }
        try requireAtLeastOne(frameStride, "--frame-stride")
        try requireAtLeastOne(frames, "--frames")
        let expected = choice.pretrained == nil ? 2 : 1
        guard paths.count == expected else {
            throw ValidationError(choice.pretrained == nil
                ? "expected a run folder or pretrained model and the input frames (or --pretrained NAME and the input frames), got \(paths.count) path(s)"
                : "with --pretrained, give only the input frames, got \(paths.count) paths")
        }
    }

    func run() throws {
        let runFolder = paths.count == 2 ? paths[0] : nil
        let input = paths[paths.count - 1]
        let trained = try choice.load(run: runFolder)
        let m = trained.experiment.model
        let frameStride = frameStride ?? trained.experiment.frameStride
        let loaded = try FrameSource.load(URL(fileURLWithPath: input), transform: trained.frameTransform,
                                          start: start, stride: frameStride)
        guard loaded.count >= m.inputLength else {
            throw ValidationError("\(input): \(loaded.count) frames, the model needs \(m.inputLength) input frames")
        }
        let context = Array(loaded.suffix(m.inputLength))
        for warning in try InputCheck.warnings(for: URL(fileURLWithPath: input), context: context,
                                                start: start, frameStride: frameStride, model: trained) {
            printError("warning: \(warning)")
        }
        let trainedHorizon = m.totalLength - m.inputLength
        if let frames, frames > trainedHorizon {
            printError("note: the model was trained to predict \(trainedHorizon) frames; frames \(trainedHorizon + 1)–\(frames) go beyond that")
        }
        let predicted = try trained.predict(following: context, count: frames)

        let folder = output.map { URL(fileURLWithPath: $0) } ?? choice.defaultOutput(run: runFolder, "predictions")
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
