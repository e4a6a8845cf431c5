import Imaging
import Foundation

/// A line chart of loss curves: white background, framed plot area, grid lines at "nice" ticks,
/// tick labels and axis titles in the built-in 5×7 font, an optional log-scale y axis and a
/// legend. Non-finite points (and non-positive ones on a log axis) are skipped.
public struct LossPlot {
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var color: RGB

        public init(name: String, points: [(x: Double, y: Double)], color: RGB) {
            self.name = name
            self.points = points
            self.color = color
        }
    }

    /// Colours for several series, in order (matplotlib's first ones).
    public static let palette: [RGB] = [.blue, .orange, RGB(44, 160, 44), RGB(214, 39, 40), RGB(148, 103, 189), RGB(127, 127, 127)]

    public var series: [Series]
    public var width = 640
    public var height = 400
    public var logScale = false
    public var title: String?
    public var xLabel = "iteration"
    public var yLabel = "loss"
    public var background = RGB.white
    public var axisColor = RGB.black
    public var gridColor = RGB(225, 225, 225)
    public var lineThickness = 2

    /// Plot-area margins (left room for tick labels and the vertical axis title).
    public let margin = (left: 70, right: 20, top: 30, bottom: 45)

    public init(series: [Series], logScale: Bool = false, title: String? = nil) {
        self.series = series
        self.logScale = logScale
        self.title = title
    }

    /// Training (blue) and validation (orange) curves against the iteration.
    public init(training: [(iteration: Int, loss: Double)], validation: [(iteration: Int, loss: Double)] = [],
                logScale: Bool = false, title: String? = nil) {
        var series = [Series(name: "training", points: training.map { (Double($0.iteration), $0.loss) }, color: .blue)]
        if !validation.isEmpty {
            series.append(Series(name: "validation", points: validation.map { (Double($0.iteration), $0.loss) },
                                 color: .orange))
        }
        self.init(series: series, logScale: logScale, title: title)
    }

    /// The plot area in pixels: (left, top, width, height).
    public var plotArea: (x: Int, y: Int, width: Int, height: Int) {
        (margin.left, margin.top, width - margin.left - margin.right, height - margin.top - margin.bottom)
    }

    public func render() -> Image {
        precondition(width >= 200 && height >= 150, "LossPlot: \(width)×\(height) is too small")
        var image = Image(width: width, height: height, channels: 3, fill: background)
        let area = plotArea
        let usable = series.map { s in s.points.filter { $0.x.isFinite && $0.y.isFinite && (!logScale || $0.y > 0) } }
        let all = usable.flatMap { $0 }
        // Data ranges (padded so that a flat curve still gets a visible axis).
        var xMin = all.map(\.x).min() ?? 0, xMax = all.map(\.x).max() ?? 1
        if xMax <= xMin { (xMin, xMax) = (xMin - 0.5, xMax + 0.5) }
        let yValues = all.map { logScale ? log10($0.y) : $0.y }
        var yMin = yValues.min() ?? 0, yMax = yValues.max() ?? 1
        if yMax <= yMin { (yMin, yMax) = (yMin - (logScale ? 0.5 : max(abs(yMin) * 0.1, 0.5)), yMax + (logScale ? 0.5 : max(abs(yMax) * 0.1, 0.5))) }
        let xTicks = LossPlot.niceTicks(xMin, xMax, target: 6)
        let yTicks = logScale ? LossPlot.logTicks(yMin, yMax) : LossPlot.niceTicks(yMin, yMax, target: 6)
        // Extend the axes to the outer ticks on linear scales, so the curve meets labelled values.
        if !logScale, let first = yTicks.first, let last = yTicks.last { yMin = min(yMin, first); yMax = max(yMax, last) }
        if let first = xTicks.first, let last = xTicks.last, xMin >= 0 { xMin = min(xMin, first); xMax = max(xMax, last) }

        func px(_ x: Double) -> Double { Double(area.x) + (x - xMin) / (xMax - xMin) * Double(area.width - 1) }
        func py(_ y: Double) -> Double { Double(area.y + area.height - 1) - (y - yMin) / (yMax - yMin) * Double(area.height - 1) }

        for t in xTicks where t >= xMin && t <= xMax {
            let x = Int(px(t).rounded())
            image.fillRect(x: x, y: area.y, width: 1, height: area.height, color: gridColor)
            image.fillRect(x: x, y: area.y + area.height, width: 1, height: 4, color: axisColor)
            let label = LossPlot.format(t)
            BitmapFont.draw(label, on: &image, x: x - BitmapFont.width(of: label) / 2,
                            y: area.y + area.height + 7, color: axisColor)
        }
        for t in yTicks where t >= yMin && t <= yMax {
            let y = Int(py(t).rounded())
            image.fillRect(x: area.x, y: y, width: area.width, height: 1, color: gridColor)
            image.fillRect(x: area.x - 4, y: y, width: 4, height: 1, color: axisColor)
            let label = logScale ? LossPlot.formatPower(t) : LossPlot.format(t)
            BitmapFont.draw(label, on: &image, x: area.x - 7 - BitmapFont.width(of: label), y: y - 3, color: axisColor)
        }
        image.strokeRect(x: area.x - 1, y: area.y - 1, width: area.width + 2, height: area.height + 2, color: axisColor)

        for (s, points) in zip(series, usable) {
            let sortedPoints = points.sorted { $0.x < $1.x }
            let mapped = sortedPoints.map { (x: px($0.x), y: py(logScale ? log10($0.y) : $0.y)) }
            if mapped.count == 1 {
                image.fillRect(x: Int(mapped[0].x) - 2, y: Int(mapped[0].y) - 2, width: 5, height: 5, color: s.color)
            }
            for (a, b) in zip(mapped, mapped.dropFirst()) {
                image.drawLine(from: a, to: b, color: s.color, thickness: lineThickness)
            }
        }

        // Axis titles, plot title and the legend (top right, inside the plot area).
        let xTitle = xLabel
        BitmapFont.draw(xTitle, on: &image, x: area.x + (area.width - BitmapFont.width(of: xTitle)) / 2,
                        y: height - 14, color: axisColor)
        let yTitle = logScale ? "\(yLabel) (log)" : yLabel
        BitmapFont.draw(yTitle, on: &image, x: 6, y: area.y + (area.height + BitmapFont.width(of: yTitle)) / 2,
                        color: axisColor, vertical: true)
        if let title {
            BitmapFont.draw(title, on: &image, x: (width - BitmapFont.width(of: title, scale: 2)) / 2, y: 8,
                            color: axisColor, scale: 2)
        }
        let legendWidth = (series.map { BitmapFont.width(of: $0.name) }.max() ?? 0) + 34
        var ly = area.y + 8
        if !series.isEmpty {
            let lx = area.x + area.width - legendWidth - 8
            image.fillRect(x: lx, y: area.y + 4, width: legendWidth, height: series.count * 14 + 6, color: background)
            image.strokeRect(x: lx, y: area.y + 4, width: legendWidth, height: series.count * 14 + 6, color: gridColor)
            for s in series {
                image.fillRect(x: lx + 6, y: ly + 3, width: 18, height: lineThickness, color: s.color)
                BitmapFont.draw(s.name, on: &image, x: lx + 28, y: ly, color: axisColor)
                ly += 14
            }
        }
        return image
    }

    public func write(to url: URL) throws { try PNG.write(render(), to: url) }

    /// Ticks at 1, 2 or 5 × 10^k spacing covering [lo, hi] with about `target` intervals.
    public static func niceTicks(_ lo: Double, _ hi: Double, target: Int) -> [Double] {
        let raw = (hi - lo) / Double(max(1, target))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = floor(lo / step) * step, last = ceil(hi / step) * step
        return stride(from: first, through: last + step * 0.5, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
    }

    /// Tick exponents for a log axis given log10 bounds: every decade, or every few when many.
    static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let first = floor(lo), last = ceil(hi)
        let every = max(1.0, ceil((last - first) / 8))
        let decades = Array(stride(from: first, through: last, by: every))
        // Few decades: add 2× and 5× ticks so the axis is still labelled.
        if decades.count <= 2 {
            return decades.flatMap { [$0, $0 + log10(2), $0 + log10(5)] }.filter { $0 <= last }
        }
        return decades
    }

    /// A compact tick label: integers plainly, small/large numbers with an exponent.
    static func format(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 { return formatScientific(v) }
        if v == v.rounded() { return String(Int(v)) }
        var s = String(format: "%.4f", v)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }

    static func formatScientific(_ v: Double) -> String {
        let e = Int(floor(log10(abs(v))))
        let m = v / pow(10, Double(e))
        let mantissa = abs(m - m.rounded()) < 1e-9 ? String(Int(m.rounded())) : String(format: "%.1f", m)
        return "\(mantissa)e\(e)"
    }

    /// The label of the log tick 10^t.
    static func formatPower(_ t: Double) -> String { format(pow(10, t).roundedToSignificant(3)) }
}

extension Double {
    func roundedToSignificant(_ digits: Int) -> Double {
        guard self != 0 && isFinite else { return self }
        let scale = pow(10, Double(digits) - ceil(log10(abs(self))))
        return (self * scale).rounded() / scale
    }
}
