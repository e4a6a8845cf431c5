import Engine
import Foundation
import Imaging
import Reports
import Testing
import TestSupport

@Suite struct RunReportTests {
    @Test func writesEveryPictureAndThePage() throws {
        var random = TestRandom(seed: 7)
        var report = RunReport(title: "test run")
        report.summary = ["model: tiny"]
        report.examples = [RunReport.Example(input: random.tensor([3, 16, 16, 1], 0, 1),
                                             truth: random.tensor([4, 16, 16, 1], 0, 1),
                                             prediction: random.tensor([4, 16, 16, 1], 0, 1))]
        report.trainingLoss = [(1, 0.5), (2, 0.3), (3, 0.2)]
        report.validationLoss = [(3, 0.25)]
        report.metrics = ["MSE": [1, 2, 3, 4], "SSIM": [0.9, 0.8, 0.7, 0.6]]
        // Five steps (three input frames, then two predicted); the trend grows by one field
        // pixel (2 frame pixels) per step in each direction, a second MotionGRU's twice as fast.
        report.motion = RunReport.Motion(frames: (0..<5).map { _ in random.tensor([16, 16, 1], 0, 1) },
                                         trends: [1, 2].map { speed in
                                             (0..<5).map { Tensor(repeating: Float(speed * $0), shape: [18, 8, 8]) }
                                         },
                                         inputLength: 3)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try report.write(to: folder)
        let html = try String(contentsOf: page, encoding: .utf8)
        for name in ["loss.png", "example1.png", "example1.gif", "motion.png"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
            #expect(html.contains(name))
        }
        #expect(html.contains("SSIM") && html.contains("model: tiny"))
        // The strip holds three rows of frames: input, truth, prediction.
        let strip = try PNG.read(from: folder.appendingPathComponent("example1.png"))
        #expect(strip.height > 3 * 16 * 2)
        // The motion picture: a row of input steps (3) and one of predicted steps (2), each
        // frame drawn 3 times larger; the table gives each step's shift in frame pixels.
        let motion = try PNG.read(from: folder.appendingPathComponent("motion.png"))
        #expect(motion.height == 2 * 48 + 3 * 2 && motion.width > 3 * 48 && motion.width < 4 * 48 + 100)
        #expect(html.contains("<td>1</td><td>input</td><td>0.00</td><td>0.00</td><td>0.00</td>"), "\(html)")
        #expect(html.contains("<td>4</td><td>predicted</td><td>8.49</td><td>8.49</td><td>8.49</td><td>16.97 (16.97)</td>"), "\(html)")
        #expect(html.contains("MotionGRU 2: median (90th percentile)"))
    }

    /// The validation curve against iterations always, against hours only when every point
    /// recorded its hours (runs from before hours were kept have none).
    @Test func drawsTheValidationCurveAgainstHoursOnlyWhenRecorded() throws {
        for (hours, expected) in [([0.1, 0.2] as [Double?], true), ([0.1, nil], false)] {
            var report = RunReport(title: "curve")
            report.validationMSE = [(250, hours[0], 120), (500, hours[1], 110)]
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let html = try String(contentsOf: try report.write(to: folder), encoding: .utf8)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("validation-mse.png").path))
            #expect(html.contains("validation-mse.png"))
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("validation-mse-time.png").path) == expected)
            #expect(html.contains("validation-mse-time.png") == expected)
        }
    }
}
