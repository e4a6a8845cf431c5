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

    /// The rule of scripts/pair-rule.py on validation scores shaped like cycle 6's: the lower-MSE
    /// candidate loses too much SSIM, so the other ships (and with the rule before, MSE alone,
    /// the lower-MSE one); and a pair where one model has no candidate that qualifies (lower MSE
    /// but SSIM 0.003 down; the other not lower in MSE) does not ship.
    @Test func thePairRuleWeighsSSIMBesideMSE() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func verdict(_ scores: [String: [String: (mse: Double, ssim: Double)]],
                     environment: [String: String] = [:]) throws -> String {
            for (model, entries) in scores {
                let json = entries.mapValues { ["mse": ["mean": $0.mse], "ssim": ["mean": $0.ssim]] }
                let place = folder.appendingPathComponent(model)
                try FileManager.default.createDirectory(at: place, withIntermediateDirectories: true)
                try JSONSerialization.data(withJSONObject: json).write(to: place.appendingPathComponent("metrics.json"))
            }
            let run = try CommandLineRun(["python3", "scripts/pair-rule.py", folder.path], in: Self.repository,
                                         environment: environment, executable: URL(fileURLWithPath: "/usr/bin/env"))
            #expect(run.status == 0, "\(run.error)")
            return run.output
        }
        let predrnn: [String: (mse: Double, ssim: Double)] = ["vmnist-predrnn": (79.52, 0.6646), "last-predrnn": (79.22, 0.6656), "avg4-predrnn": (79.27, 0.6658)]
        let cycle6: [String: [String: (mse: Double, ssim: Double)]] = [
            "motionrnn-predrnn": ["vmnist-motionrnn-predrnn": (76.78, 0.6753), "last-motionrnn-predrnn": (76.51, 0.6750),
                                  "avg4-motionrnn-predrnn": (76.49, 0.6696)],
            "predrnn": predrnn]
        let ships = try verdict(cycle6)
        #expect(ships.contains("→ last-motionrnn-predrnn beats the shipped one"), "\(ships)")
        #expect(ships.contains("→ last-predrnn beats the shipped one"), "\(ships)")
        #expect(ships.contains("verdict: the pair ships"), "\(ships)")
        let before = try verdict(cycle6, environment: ["PAIR_RULE_SSIM_TOLERANCE": "inf"])
        #expect(before.contains("→ avg4-motionrnn-predrnn beats the shipped one"), "\(before)")
        let stays = try verdict([
            "motionrnn-predrnn": ["vmnist-motionrnn-predrnn": (76.78, 0.6753), "last-motionrnn-predrnn": (76.80, 0.6760),
                                  "avg4-motionrnn-predrnn": (76.49, 0.6723)],
            "predrnn": predrnn])
        #expect(stays.contains("motionrnn-predrnn: shipped 76.78 (SSIM 0.6753)") && stays.contains("→ no candidate beats"), "\(stays)")
        #expect(stays.contains("verdict: the pair does not ship"), "\(stays)")
    }
}
