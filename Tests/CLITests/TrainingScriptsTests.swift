import Foundation
import Testing

/// The shell helpers that train a pair of models over many sessions (scripts/training-helpers.sh),
/// run on tiny models with the built `motionrnn`.
@Suite struct TrainingScriptsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A plan in one phase (the boundary is its last iteration, as scripts/train-deep-cycle.sh
    /// has it): both runs train once and the helper returns, instead of starting the finished runs
    /// again and again until the session's budget is nearly spent.
    @Test func aOnePhasePlanEndsWhenBothRunsHaveFinished() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = """
            set -euo pipefail
            source scripts/training-helpers.sh
            tool="$1"
            new_run_arguments() { arguments=(--model "$1" \(TrainingFlagsTests.tiny.joined(separator: " ")) --iterations 2); }
            on_resume=()
            second_phase=()
            train_pair_in_two_phases "$2" pair 20m 2
            """
        let helper = try RunningCommand(["-c", script, "helper", CommandLineRun.executable.path, folder.path],
                                        in: Self.repository, executable: URL(fileURLWithPath: "/bin/bash"))
        let ended = helper.wait(seconds: 120) { !helper.process.isRunning }
        #expect(ended, "the helper still runs after 2 minutes: \(helper.errorSoFar)")
        guard ended else { return }
        let result = try helper.finish()
        #expect(result.status == 0, "\(result.error)")
        for model in ["motionrnn-predrnn", "predrnn"] {
            let run = folder.appendingPathComponent("pair-\(model)")
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("metrics.json").path))
            let log = try String(contentsOf: folder.appendingPathComponent("pair-\(model).log"), encoding: .utf8)
            let finishes = log.components(separatedBy: "trained 2 iterations").count - 1
            #expect(finishes == 1, "\(model) finished \(finishes) times:\n\(log)")
        }
    }
}
