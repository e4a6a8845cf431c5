import ArgumentParser
import Foundation
import Verification
import Predictor

/// `motionrnn verify-reference FILE.safetensors`: reproduces a PyTorch reference fixture and
/// prints, per tensor, how far our result is from it.
struct VerifyReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-reference",
        abstract: "Check the Swift models against a reference fixture (outputs, loss, every gradient).",
        discussion: """
            Reads FILE.safetensors and its JSON sidecar FILE.json, builds the model its `config` \
            describes (or the component, for the Warp/MotionGRU/ST-LSTM fixtures), loads the \
            parameters, runs forward and backward on the fixture's inputs and compares each tensor: \
            relative error = max|ours − ref| / max|ref| (an all-zero reference needs max|ours| ≤ 1e-7). \
            Exit status: 0 all within tolerance, 1 some tensor exceeds it, 2 the fixture could not be \
            verified (missing sidecar or tensor, shape mismatch, unsupported model).
            """)

    @Argument(help: "The fixture's .safetensors file (its .json sidecar must sit beside it).")
    var file: String

    @OptionGroup var limit: ToleranceOption

    func run() throws {
        let report: ReferenceReport
        do {
            report = try ReferenceVerifier.verify(fixtureAt: URL(fileURLWithPath: file), tolerance: limit.tolerance)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(report.table())
        print(report.summary)
        if !report.passed { throw ExitCode(1) }
    }
}
