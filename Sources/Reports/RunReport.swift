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

        public init(input: Tensor, truth: Tensor, prediction: Tensor) {
            self.input = input
            self.truth = truth
            self.prediction = prediction
        }
    }

    /// The motion trend `D [18, h, w]` of the first MotionGRU at the last predicted step, and the
    /// frame it is drawn over (`[H, W, C]`).
    public struct Motion {
        public var frame: Tensor
        public var trend: Tensor

        public init(frame: Tensor, trend: Tensor) {
            self.frame = frame
            self.trend = trend
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
            var byIteration = LossPlot(series: [.init(name: "validation MSE", points: validationMSE.map { (Double($0.iteration), $0.mse) }, color: .orange)],
                                       title: "validation MSE per frame")
            byIteration.yLabel = "MSE"
            try byIteration.write(to: directory.appendingPathComponent("validation-mse.png"))
            page.addImage("validation-mse.png", caption: "mean MSE per predicted frame on the validation split, against iterations", pixelated: false)
            let timed = validationMSE.compactMap { point in point.hours.map { ($0, point.mse) } }
            if timed.count == validationMSE.count {
                var byTime = LossPlot(series: [.init(name: "validation MSE", points: timed, color: .orange)],
                                      title: "validation MSE per frame")
                byTime.xLabel = "training hours"
                byTime.yLabel = "MSE"
                try byTime.write(to: directory.appendingPathComponent("validation-mse-time.png"))
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
            page.addImage(stripName, caption: "sequence \(index + 1): input, truth, prediction")
            page.addImage(gifName, caption: "sequence \(index + 1): input frames, then the predictions")
        }
        if let motion {
            let displacement = MotionArrows.meanDisplacement(trend: motion.trend)
            let frame = Image(tensor: motion.frame)
            try PNG.write(MotionArrows.render(frame: frame, displacement: displacement),
                          to: directory.appendingPathComponent("motion.png"))
            page.addHeading("Learned motion")
            let shifts = MotionArrows.shiftLengths(of: displacement, frameHeight: frame.height, frameWidth: frame.width)
            let (median, reference) = (MotionArrows.quantile(shifts, 0.5), MotionArrows.quantile(shifts, 0.9))
            page.addImage("motion.png", caption: "trend of the first MotionGRU at the last predicted step (mean offset of its 9 neighbours, at half resolution), drawn over the last input frame. Shifts in frame pixels: median "
                          + String(format: "%.2f, 90th percentile %.2f (the arrows' scale: longer ones are cut), longest %.2f", median, reference, shifts.last ?? 0),
                          pixelated: false)
        }
        let url = directory.appendingPathComponent("index.html")
        try page.write(to: url)
        return url
    }
}
