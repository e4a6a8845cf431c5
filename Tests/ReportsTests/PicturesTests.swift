import Engine
import Foundation
@testable import Imaging
@testable import Reports
import Testing
import TestSupport

@Suite struct PicturesTests {
    @Test func stripLayout() throws {
        let frame = { (v: UInt8) in Image(width: 8, height: 6, channels: 1, fill: .gray(v)) }
        let truth = (0..<5).map { frame(UInt8(40 * $0 + 20)) }
        let prediction = (0..<5).map { frame(UInt8(40 * $0 + 30)) }
        let input = (0..<3).map { _ in frame(5) }
        let style = Strip.Style(scale: 2, separator: 2, separatorColor: .gray(128))
        let strip = Strip.render(groundTruth: truth, prediction: prediction, input: input, style: style)
        let labelWidth = BitmapFont.width(of: "prediction") + 2 * style.labelPadding
        #expect(labelWidth == 67)
        #expect(strip.width == 67 + 5 * 16 + 6 * 2 && strip.height == 3 * 12 + 4 * 2 && strip.channels == 1)
        // Rows: input at y 2…13, truth at 16…27, prediction at 30…41; frame c starts at x 69 + 18c.
        #expect(strip[2, 69, 0] == 5)
        #expect(strip[16, 69 + 18 * 2, 0] == 100 && strip[27, 69 + 18 * 2 + 15, 0] == 100)
        #expect(strip[30, 69 + 18 * 4, 0] == 190)
        #expect(strip[14, 70, 0] == 128 && strip[20, 85, 0] == 128)   // separators
        #expect(strip[4, 69 + 18 * 3, 0] == 128)                       // the short input row leaves the gap
        // The label column has dark text on white.
        let label = (16..<28).flatMap { y in (0..<67).map { strip[y, $0, 0] } }
        #expect(label.contains(0) && label.contains(255))
        try keep(strip, "strip.png")
        let colour = Strip.render(rows: [[gradientImage(width: 10, height: 10, channels: 3)]], style: .init(scale: 1))
        #expect(colour.width == 14 && colour.height == 14 && colour.channels == 3)
    }

    @Test func lossPlot() throws {
        let training = (0...50).map { (iteration: $0 * 100, loss: 2 * exp(-Double($0) / 10) + 0.01) }
        let validation = stride(from: 0, through: 50, by: 10).map { (iteration: $0 * 100, loss: 2.2 * exp(-Double($0) / 12) + 0.03) }
        let plot = LossPlot(training: training, validation: validation, title: "V-MNIST loss")
        let image = plot.render()
        #expect(image.width == 640 && image.height == 400 && image.channels == 3)
        let area = plot.plotArea
        #expect(image.color(x: 2, y: 2) == .white)
        #expect(image.color(x: area.x - 1, y: area.y + area.height / 2) == .black)   // left axis
        let pixels = (0..<image.height).flatMap { y in (0..<image.width).map { image.color(x: $0, y: y) } }
        #expect(pixels.filter { $0 == .blue }.count > 500)
        #expect(pixels.filter { $0 == .orange }.count > 300)
        // The axis runs 0…2.5 (ticks every 0.5), so training's first loss 2.01 sits at
        // 2.01 / 2.5 of the height from the bottom.
        let startY = area.y + Int(Double(area.height - 1) * (1 - 2.01 / 2.5))
        let startColumn = ((startY - 2)...(startY + 2)).map { image.color(x: area.x + 1, y: $0) }
        #expect(startColumn.contains(.blue))
        try keep(image, "loss.png")

        // Log scale: an exponential decay becomes a straight line from corner to corner.
        let decay = (0...40).map { (iteration: $0, loss: pow(10, -Double($0) / 10)) }
        let log = LossPlot(training: decay, logScale: true)
        let logImage = log.render()
        let middleX = area.x + (area.width - 1) / 2
        let middleY = area.y + (area.height - 1) / 2
        let column = (middleY - 3...middleY + 3).map { logImage.color(x: middleX, y: $0) }
        #expect(column.contains(.blue), "log curve should cross the plot centre")
        try keep(logImage, "loss-log.png")
        // Degenerate input still gives a picture: no series, a single point, NaN and flat values.
        #expect(LossPlot(series: []).render().width == 640)
        let odd = LossPlot(training: [(0, .nan), (5, 1), (10, 1), (15, .infinity)], logScale: true).render()
        #expect(odd.height == 400)
        #expect(LossPlot.niceTicks(0, 4.3, target: 5) == [0, 1, 2, 3, 4, 5])
        #expect(LossPlot.format(0.05) == "0.05" && LossPlot.format(1e-4) == "1e-4" && LossPlot.format(2500) == "2500")
    }

    @Test func motionArrows() throws {
        var frame = Image(width: 16, height: 16, channels: 1, fill: .gray(60))
        frame.fillRect(x: 4, y: 4, width: 8, height: 8, color: .gray(200))
        // Field 4×4: everything moves one field pixel right, except cell (3, 0), which moves down.
        var values = [Float](repeating: 0, count: 32)
        for i in 0..<16 { values[16 + i] = 1 }
        values[12] = 1; values[16 + 12] = 0
        let field = Tensor(shape: [2, 4, 4], scalars: values)
        let image = MotionArrows.render(frame: frame, displacement: field, style: .init(scale: 4, color: .red))
        #expect(image.width == 64 && image.height == 64 && image.channels == 3)
        // Cell (0, 0): tail at (7.5, 7.5) in output pixels; length 0.9 · 16 = 14.4 px to the right.
        #expect(image.color(x: 12, y: 8) == .red || image.color(x: 12, y: 7) == .red)
        #expect(image.color(x: 20, y: 8) == .red || image.color(x: 20, y: 7) == .red)   // head
        #expect(image.color(x: 3, y: 8) == .gray(60))                                    // left of the tail
        #expect(image.color(x: 8, y: 2) == .gray(60))                                    // above the shaft
        // Cell (3, 0) points down: red below its tail at (7.5, 55.5), nothing to its right.
        #expect(image.color(x: 8, y: 62) == .red || image.color(x: 7, y: 62) == .red)
        #expect(image.color(x: 14, y: 56) == .gray(60))
        // The frame itself is enlarged underneath.
        #expect(image.color(x: 40, y: 30) == .gray(200))
        try keep(image, "arrows.png")

        // One huge offset (cell (0, 3), 100 field pixels down) neither shrinks the others nor
        // crosses the picture: they keep their length, it is cut at the spacing (16 px), short of
        // the arrow of cell (2, 3) at y = 39.5.
        values[3] = 100; values[16 + 3] = 0
        let outlier = MotionArrows.render(frame: frame, displacement: Tensor(shape: [2, 4, 4], scalars: values),
                                          style: .init(scale: 4, color: .red))
        #expect(outlier.color(x: 20, y: 8) == .red || outlier.color(x: 20, y: 7) == .red)
        #expect((18...23).contains { outlier.color(x: 55, y: $0) == .red || outlier.color(x: 56, y: $0) == .red })
        #expect(!(29...35).contains { outlier.color(x: 55, y: $0) == .red || outlier.color(x: 56, y: $0) == .red })

        // A clockwise swirl (y down) at 16×16 over a 64×64 frame: right of the centre arrows point
        // down, left of it up; every 2nd cell drawn.
        var swirl = [Float](repeating: 0, count: 2 * 256)
        for i in 0..<16 { for j in 0..<16 {
            let y = Float(i) - 7.5, x = Float(j) - 7.5
            swirl[i * 16 + j] = x / 8          // dy
            swirl[256 + i * 16 + j] = -y / 8   // dx
        } }
        let big = MotionArrows.render(frame: gradientImage(width: 64, height: 64, channels: 1),
                                      displacement: Tensor(shape: [2, 16, 16], scalars: swirl),
                                      style: .init(scale: 4, step: 2, color: .yellow, thickness: 2))
        #expect(big.width == 256 && big.height == 256)
        // Drawn cell (7, 13): tail (13.5·16, 7.5·16) = (216, 120) in output pixels, moving down.
        #expect((124...134).contains { big.color(x: 216, y: $0) == .yellow })
        #expect(!(106...116).contains { big.color(x: 216, y: $0) == .yellow })
        try keep(big, "swirl.png")

        // Trend of 18 channels: mean over the 9 row- and the 9 column-offset channels.
        let trend = Tensor(shape: [1, 18, 1, 2], scalars: (0..<36).map { Float($0 / 2 < 9 ? 1 : 3) + Float($0 % 2) })
        let mean = MotionArrows.meanDisplacement(trend: trend)
        #expect(mean.shape == [2, 1, 2] && mean.scalars == [1, 2, 3, 4])
        // In pixels of an 8×8 frame a field cell is 8 tall and 4 wide: the longest shift is
        // cell (0, 1)'s (2·8, 4·4).
        let shifts = MotionArrows.shiftLengths(of: mean, frameHeight: 8, frameWidth: 8)
        #expect(shifts.count == 2 && abs(shifts[0] - (8.0 * 8 + 12 * 12).squareRoot()) < 1e-9
                && abs(shifts[1] - (16.0 * 16 + 16 * 16).squareRoot()) < 1e-9)
        #expect(MotionArrows.quantile([1, 2, 3, 4, 5], 0.5) == 3 && MotionArrows.quantile([1, 2, 3, 4, 5], 0.9) == 5
                && MotionArrows.quantile([], 0.9) == 0)
    }

    /// Several runs' curves, one colour each, against iterations and (when every run has them)
    /// training hours.
    @Test func learningCurvesOfSeveralRuns() throws {
        let folder = try TemporaryFolder()
        let timed = [LearningCurves.Run(name: "wide", points: [(250, 0.2, 120), (500, 0.4, 110), (750, 0.6, 104)]),
                     LearningCurves.Run(name: "narrow", points: [(250, 0.05, 125), (500, 0.1, 114), (1000, 0.2, 111)])]
        let written = try LearningCurves.write(timed, prefix: folder.file("round2"))
        #expect(written.map(\.lastPathComponent) == ["round2-iterations.png", "round2-hours.png"])
        for url in written {
            let image = try PNG.read(from: url)
            let colours = Set((0..<image.height).flatMap { y in (0..<image.width).map { image.color(x: $0, y: y) } })
            #expect(colours.contains(LossPlot.palette[0]) && colours.contains(LossPlot.palette[1]), "\(url.lastPathComponent)")
        }
        let untimed = timed + [LearningCurves.Run(name: "old", points: [(250, nil, 130)])]
        #expect(try LearningCurves.write(untimed, prefix: folder.file("old")).map(\.lastPathComponent) == ["old-iterations.png"])
    }

    @Test func htmlReport() throws {
        let folder = try TemporaryFolder()
        try PNG.write(Image(width: 4, height: 4, channels: 1), to: folder.file("strip.png"))
        try GIF.write([Image(width: 4, height: 4, channels: 1)], to: folder.file("pred.gif"))
        var report = HTMLReport(title: "Run <1>")
        report.addHeading("Pictures")
        report.addImage("strip.png", caption: "truth & prediction")
        report.addImage("pred.gif", displayWidth: 256)
        report.addMetricsTable(["mse": [1.5, 2.25], "ssim": [0.9, 0.8]], order: ["ssim", "mse"])
        report.addMarkdown("""
            ## Metrics
            | frame | MSE |
            |---|---:|
            | 1 | 12.5 |
            some text
            """)
        let url = folder.file("report.html")
        try report.write(to: url)
        let html = try String(contentsOf: url, encoding: .utf8)
        #expect(html.contains("<title>Run &lt;1&gt;</title>"))
        #expect(html.contains("<img src=\"strip.png\"") && html.contains("<img src=\"pred.gif\""))
        #expect(html.contains("truth &amp; prediction") && html.contains("width: 256px"))
        #expect(html.contains("<tr><th>ssim</th><td>0.9</td><td>0.8</td><td class=\"mean\">0.85</td></tr>"))
        #expect(html.range(of: "ssim")!.lowerBound < html.range(of: "mse")!.lowerBound)
        #expect(html.contains("<h3>Metrics</h3>") && html.contains("<tr><td>1</td><td>12.5</td></tr>"))
        #expect(html.contains("<tr><th>frame</th><th>MSE</th></tr>") && !html.contains("---"))
        #expect(html.contains("<p>some text</p>") && !html.contains("<script"))
        // A missing picture is an error naming it.
        report.addImage("missing.png")
        #expect { try report.write(to: url) } throws: { "\($0)".contains("missing.png") }
    }

    @Test func fontDrawsDigitsAndText() {
        var image = Image(width: 40, height: 10, channels: 1, fill: .white)
        BitmapFont.draw("1", on: &image, x: 0, y: 0, color: .black)
        // "1": column 2 is set on rows 0-6; the base row has columns 1-3.
        #expect((0..<7).allSatisfy { image[$0, 2, 0] == 0 })
        #expect(image[6, 1, 0] == 0 && image[6, 3, 0] == 0 && image[6, 0, 0] == 255 && image[0, 0, 0] == 255)
        #expect(BitmapFont.width(of: "abc") == 17 && BitmapFont.width(of: "abc", scale: 2) == 34)
        #expect(BitmapFont.glyphs.count >= 90)
    }
}
