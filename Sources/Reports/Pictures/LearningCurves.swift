import Foundation
import Imaging

/// Several runs' validation curves in one picture each against iterations and against training
/// hours, so that runs of different cost compare both per step and per CPU hour.
public enum LearningCurves {
    /// A validation point: iteration, training hours so far (when recorded), mean MSE per frame.
    public typealias Point = (iteration: Int, hours: Double?, mse: Double)

    public struct Run {
        public var name: String
        public var points: [Point]

        public init(name: String, points: [Point]) {
            self.name = name
            self.points = points
        }
    }

    /// Writes `<prefix>-iterations.png` and, when every run recorded its hours,
    /// `<prefix>-hours.png`; returns the files written.
    @discardableResult
    public static func write(_ runs: [Run], prefix: URL) throws -> [URL] {
        let folder = prefix.deletingLastPathComponent(), name = prefix.lastPathComponent
        return try write(runs, iterationsFile: folder.appendingPathComponent("\(name)-iterations.png"),
                         hoursFile: folder.appendingPathComponent("\(name)-hours.png"))
    }

    /// Writes the curves against iterations to `iterationsFile` and, when every run recorded its
    /// hours, against training hours to `hoursFile`; returns the files written.
    @discardableResult
    public static func write(_ runs: [Run], iterationsFile: URL, hoursFile: URL) throws -> [URL] {
        func plot(_ x: (Point) -> Double?, label: String) -> LossPlot {
            var plot = LossPlot(series: runs.enumerated().map { index, run in
                LossPlot.Series(name: run.name, points: run.points.compactMap { point in x(point).map { ($0, point.mse) } },
                                color: LossPlot.palette[index % LossPlot.palette.count])
            }, title: "validation MSE per frame")
            plot.xLabel = label
            plot.yLabel = "MSE"
            return plot
        }
        try plot({ Double($0.iteration) }, label: "iteration").write(to: iterationsFile)
        guard runs.allSatisfy({ $0.points.allSatisfy { $0.hours != nil } }) else { return [iterationsFile] }
        try plot({ $0.hours }, label: "training hours").write(to: hoursFile)
        return [iterationsFile, hoursFile]
    }
}
