import Engine
import Foundation
import Imaging

/// What a person looks at after a run, written into one folder: comparison strips (input, truth,
/// prediction) as PNG, the predicted sequences as animated GIFs, the loss curve, the learned
/// motion trend of the first MotionGRU as arrows over the frame (paper Fig. 9), and one
/// `index.html` page that shows them with the metrics.
public struct RunReport {
    /// One test sequence in image space, `[T, H, W, C]` each, values in [0, 1].
    public struct Example {
        public var input: Tensor
        public var truth: Tensor
        public var prediction: Tensor
        /// Which sequence this is, for the captions (default: "sequence k", its place in the list).
        public var caption: String?

        public init(input: Tensor, truth: Tensor, prediction: Tensor, caption: String? = nil) {
            self.input = input
            self.truth = truth
            self.prediction = prediction
            self.caption = caption
        }
    }

    /// The motion trend `D [18, h, w]` of every MotionGRU at every step of one sequence,
    /// `trends[MotionGRU][step]` (deeper models have one between every two layers; the page
    /// draws the first's and gives the sizes of all), and the frame (`[H, W, C]`) the model took
    /// in at each step: the input frames, then its own predictions.
    public struct Motion {
        public var frames: [Tensor]
        public var trends: [[Tensor]]
        public var inputLength: Int

        public init(frames: [Tensor], trends: [[Tensor]], inputLength: Int) {
            precondition(!frames.isEmpty && !trends.isEmpty && trends.allSatisfy { $0.count == frames.count },
                         "RunReport.Motion: \(frames.count) frames for \(trends.map(\.count)) trends of the MotionGRUs")
            self.frames = frames
            self.trends = trends
            self.inputLength = inputLength
        }
    }

    public var title: String
    /// Lines shown under the title (model, data, command, wall time…).
    public var summary: [String] = []
    public var examples: [Example] = []
    public var trainingLoss: [(iteration: Int, loss: Double)] = []
    public var validationLoss: [(iteration: Int, loss: Double)] = []
    /// Mean validation MSE per predicted frame, with the training hours up to that point (nil
    /// where the run did not record them), over every session of the run.
    public var validationMSE: [(iteration: Int, hours: Double?, mse: Double)] = []
    /// Per predicted frame, by metric name (as `MetricsReport` gives them).
    public var metrics: [String: [Double]] = [:]
    public var metricOrder: [String]? = nil
    public var motion: Motion? = nil

    public init(title: String) { self.title = title }

    /// Writes every picture and `index.html` into `directory` (created if needed); returns the
    /// page's URL.
    @discardableResult
    public func write(to directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var page = HTMLReport(title: title)
        for line in summary { page.addParagraph(line) }

        if !metrics.isEmpty {
            page.addHeading("Metrics per predicted frame")
            page.addMetricsTable(metrics, order: metricOrder)
        }
        if !trainingLoss.isEmpty {
            let plot = LossPlot(training: trainingLoss, validation: validationLoss,
                                logScale: true, title: "loss")
            try plot.write(to: directory.appendingPathComponent("loss.png"))
            page.addHeading("Training")
            page.addImage("loss.png", caption: "training and validation loss (log scale)", pixelated: false)
        }
        if !validationMSE.isEmpty {
            let written = try LearningCurves.write([.init(name: "validation MSE", points: validationMSE)],
                                                   iterationsFile: directory.appendingPathComponent("validation-mse.png"),
                                                   hoursFile: directory.appendingPathComponent("validation-mse-time.png"))
            page.addImage("validation-mse.png", caption: "mean MSE per predicted frame on the validation split, against iterations", pixelated: false)
            if written.count > 1 {
                page.addImage("validation-mse-time.png", caption: "the same against training wall time, summed over the run's sessions", pixelated: false)
            }
        }
        if !examples.isEmpty { page.addHeading("Predictions") }
        for (index, example) in examples.enumerated() {
            let strip = Strip.render(groundTruth: Image.frames(sequence: example.truth),
                                     prediction: Image.frames(sequence: example.prediction),
                                     input: Image.frames(sequence: example.input))
            let stripName = "example\(index + 1).png", gifName = "example\(index + 1).gif"
            try PNG.write(strip, to: directory.appendingPathComponent(stripName))
            let animation = Image.frames(sequence: example.input) + Image.frames(sequence: example.prediction)
            try GIF.write(animation.map { $0.upscaled(by: 2) }, to: directory.appendingPathComponent(gifName))
            let which = example.caption ?? "sequence \(index + 1)"
            page.addImage(stripName, caption: "\(which): input, truth, prediction")
            page.addImage(gifName, caption: "\(which): input frames, then the predictions")
        }
        if let motion { try addMotion(motion, to: &page, in: directory) }
        let url = directory.appendingPathComponent("index.html")
        try page.write(to: url)
        return url
    }

    /// The trend at every step as arrows over the frame of that step (paper Fig. 9), input steps
    /// in the first row and predicted ones in the second, and the size of its shifts per step
    /// (each picture's arrows are scaled to fit, so the table says how far they reach), with
    /// those of the other MotionGRUs beside them.
    private func addMotion(_ motion: Motion, to page: inout HTMLReport, in directory: URL) throws {
        var pictures: [Image] = []
        let others = motion.trends.indices.dropFirst().map { "MotionGRU \($0 + 1): median (90th percentile)" }
        var table = "| step | frame taken in | median shift (frame px) | 90th percentile | longest | "
            + others.map { "\($0) |" }.joined(separator: " ") + "\n|---:|---|---:|---:|---:|"
            + String(repeating: "---:|", count: others.count) + "\n"
        for (step, (frameTensor, trend)) in zip(motion.frames, motion.trends[0]).enumerated() {
            let frame = Image(tensor: frameTensor)
            let displacement = MotionArrows.meanDisplacement(trend: trend)
            pictures.append(MotionArrows.render(frame: frame, displacement: displacement, style: .init(scale: 3)))
            let shifts = MotionArrows.shiftLengths(of: displacement, frameHeight: frame.height, frameWidth: frame.width)
            table += "| \(step + 1) | \(step < motion.inputLength ? "input" : "predicted") | "
                + String(format: "%.2f | %.2f | %.2f |", MotionArrows.quantile(shifts, 0.5),
                         MotionArrows.quantile(shifts, 0.9), shifts.last ?? 0)
            for trends in motion.trends.dropFirst() {
                let other = MotionArrows.shiftLengths(of: MotionArrows.meanDisplacement(trend: trends[step]),
                                                      frameHeight: frame.height, frameWidth: frame.width)
                table += String(format: " %.2f (%.2f) |", MotionArrows.quantile(other, 0.5), MotionArrows.quantile(other, 0.9))
            }
            table += "\n"
        }
        let rows = [Array(pictures.prefix(motion.inputLength)), Array(pictures.dropFirst(motion.inputLength))].filter { !$0.isEmpty }
        let labels = ["input steps", "predicted steps"].prefix(rows.count)
        try PNG.write(Strip.render(rows: rows, labels: Array(labels), style: .init(scale: 1)),
                      to: directory.appendingPathComponent("motion.png"))
        page.addHeading("Learned motion")
        page.addImage("motion.png", caption: "trend of the first MotionGRU at each step (mean offset of its 9 neighbours, at half resolution) over the frame the model took in at that step, first test sequence; each picture's arrows are scaled to its 90th-percentile shift, longer ones cut", pixelated: false)
        page.addMarkdown(table)
    }
}
