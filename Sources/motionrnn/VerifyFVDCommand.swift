import ArgumentParser
import Engine
import FVD
import Benchmarks
import Foundation
import Verification

/// `motionrnn verify-fvd`: the full FVD check against the `i3d_fvd` fixture (110+ GFLOP per
/// I3D case: run it in a release build; `.ci/run` does).
struct VerifyFVDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-fvd",
        abstract: "Check FVD (I3D logits and traces, TF1 resize, Fréchet distance) against the i3d_fvd fixture.",
        discussion: """
            Runs the fixture's four I3D cases (16 and 20 frames of 224×224, constant clips, a 64×64 clip \
            through the resize) and its distance sets, and prints each relative error: \
            max|ours − ref| / max|ref| for tensors (tolerance --tolerance), |ours − ref| / |ref| for \
            distances of stored embeddings (1e-6). Needs the I3D weights (bash scripts/setup.sh). \
            Also prints I3D's throughput and that of a raw SGEMM of a typical I3D size on the same cores. \
            Exit status: 0 all within tolerance, 1 some check exceeds it, 2 the check could not run.
            """)

    @Argument(help: "The fixture's .safetensors file.")
    var fixture = "Tests/Fixtures/i3d_fvd.safetensors"

    @Option(help: "The converted I3D weights (default $MOTIONRNN_I3D, else ~/.cache/motionrnn/i3d-kinetics-400.safetensors).")
    var weights: String?

    @OptionGroup var limit: ToleranceOption

    func run() throws {
        let checks: [I3DFixtureVerifier.Check]
        var verifier: I3DFixtureVerifier
        do {
            let network = try I3D(weights: I3DWeights(contentsOf: weights.map(URL.init(fileURLWithPath:)) ?? I3DWeights.defaultURL))
            verifier = try I3DFixtureVerifier(fixture: URL(fileURLWithPath: fixture), network: network, tolerance: limit.tolerance)
            checks = try verifier.run { check in
                print((check.passed ? "ok    " : "FAIL  ") + check.name.padding(toLength: 70, withPad: " ", startingAt: 0)
                      + String(format: " %.3e (≤ %.0e)", check.error, check.tolerance))
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let gflops = 2 * Double(verifier.multiplyAdds) / 1e9
        let sgemm = SGEMMProbe.gigaflops(m: 192, n: 3136, k: 1728, parallelism: .onePerCore)   // Conv3d_2c per frame
        print(String(format: "I3D: %.1f GFLOP in %.1f s = %.1f GFLOP/s on %d cores; raw SGEMM (M 192, K 1728, N 3136, one per core) %.1f GFLOP/s: %.0f %%",
                     gflops, verifier.networkSeconds, gflops / verifier.networkSeconds, Parallel.coreCount,
                     sgemm, 100 * gflops / verifier.networkSeconds / sgemm))
        let failed = checks.filter { !$0.passed }
        print(failed.isEmpty ? "all \(checks.count) checks within tolerance" : "\(failed.count) of \(checks.count) checks FAILED")
        if !failed.isEmpty { throw ExitCode(1) }
    }
}
