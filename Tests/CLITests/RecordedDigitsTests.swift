import Foundation
import Testing

/// A V-MNIST run records the digits it was built from (`$MOTIONRNN_DIGITS` at its start), so
/// that resuming it and scoring it use them without the variable, and other digits cannot slip
/// into a resumed run.
@Suite struct RecordedDigitsTests {
    /// The digits path recorded in a run's experiment.json, or nil.
    func recordedDigits(in run: URL) throws -> String? {
        let data = try Data(contentsOf: run.appendingPathComponent("experiment.json"))
        let experiment = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let source = try #require(experiment["data"] as? [String: Any])
        let vmnist = try #require(source["vmnist"] as? [String: Any], "not a V-MNIST run: \(source)")
        return vmnist["digits"] as? String
    }

    @Test func runKeepsTheDigitsItWasTrainedOn() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bars = try writeBarDigits(in: folder)
        let otherBars = try writeBarDigits(in: folder, prefix: "other", shift: 3)
        let run = folder.appendingPathComponent("run")
        let tiny = ["--preset", "vmnist-cpu", "--hidden", "4,4", "--batch-size", "2", "--validation-count", "2",
                    "--test-count", "2", "--examples", "0", "--output", run.path]
        // A relative path, recorded as an absolute one so that the run finds it from anywhere.
        let train = try CommandLineRun(["train", "--iterations", "1"] + tiny, in: folder,
                                       environment: ["MOTIONRNN_DIGITS": bars.lastPathComponent])
        #expect(train.status == 0, "\(train.error)")
        #expect(try recordedDigits(in: run) == bars.standardizedFileURL.path)

        // Resuming with other digits is refused, naming the variable and both sources.
        let mixed = try CommandLineRun(["train", "--resume", "--iterations", "2", "--output", run.path],
                                       environment: ["MOTIONRNN_DIGITS": otherBars.path])
        mixed.expectRefusal(mentioning: ["MOTIONRNN_DIGITS", bars.standardizedFileURL.path, otherBars.path])

        // Without the variable the run resumes on its own digits, and `test` scores on them.
        let resumed = try CommandLineRun(["train", "--resume", "--iterations", "2", "--output", run.path],
                                         environment: ["MOTIONRNN_DIGITS": ""])
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.error.contains("generated from the digits in \(bars.standardizedFileURL.path)"), "\(resumed.error)")
        let test = try CommandLineRun(["test", run.path, "--output", folder.appendingPathComponent("scores").path],
                                      environment: ["MOTIONRNN_DIGITS": ""])
        #expect(test.status == 0, "\(test.error)")
        let report = try String(contentsOf: folder.appendingPathComponent("scores/report/index.html"), encoding: .utf8)
        #expect(report.contains("generated from the digits in \(bars.standardizedFileURL.path)"))

        // The variable still chooses the digits a trained model is scored on.
        let elsewhere = try CommandLineRun(["test", run.path, "--output", folder.appendingPathComponent("other").path],
                                           environment: ["MOTIONRNN_DIGITS": otherBars.path])
        #expect(elsewhere.status == 0, "\(elsewhere.error)")
        let otherReport = try String(contentsOf: folder.appendingPathComponent("other/report/index.html"), encoding: .utf8)
        #expect(otherReport.contains("generated from the digits in \(otherBars.path)"))
    }
}
