import Experiments
import Foundation
import Testing
import TestSupport

/// The models shipped in models/ load by name and still score what they scored when they were
/// exported, on the first test sequences: a guard against changes to the V-MNIST generator, the
/// model code or the metrics that would silently change what a shipped model does.
///
/// Tolerance: 1e-3 relative. The same computation on another machine may take the im2col
/// instead of the Winograd convolution path (no AVX2), whose results differ in the last bits
/// (1e-6 of the largest activation); carried through 20 recurrent steps and 8 sequences that
/// moves the mean MSE by well under 1e-4. A real change (another digit, a changed layer) moves
/// it by far more.
@Suite(.serialized, .requires(.mlxtendDigits)) struct ShippedModelTests {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models")

    @Test(arguments: ["vmnist-motionrnn-predrnn", "vmnist-predrnn"])
    func shippedModelScoresAsRecorded(name: String) throws {
        let file = Self.models.appendingPathComponent("\(name).safetensors")
        #expect(try PretrainedModel.locate(name, searchDirectories: [Self.models]) == file)
        let trained = try TrainedModel(pretrained: file.path)
        let recorded = try #require(trained.recordedCheck)
        let now = try PretrainedModel.RegressionCheck.measure(trained, sequences: recorded.sequences)
        #expect(now.sequences == recorded.sequences)
        #expect(abs(now.meanMSE - recorded.meanMSE) <= 1e-3 * recorded.meanMSE, "MSE \(now.meanMSE), recorded \(recorded.meanMSE)")
        #expect(abs(now.meanSSIM - recorded.meanSSIM) <= 1e-3 * recorded.meanSSIM, "SSIM \(now.meanSSIM), recorded \(recorded.meanSSIM)")
        // Bigger than a few MB would not belong in the repository (the limit is 16 MB).
        let bytes = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
        #expect(bytes < 16 << 20)
    }
}
