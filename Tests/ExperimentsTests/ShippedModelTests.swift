import Experiments
import Foundation
import Testing
import TestSupport

/// The models shipped in models/ load by name and still score what they scored when they were
/// exported, on the first test sequences: a guard against changes to the V-MNIST generator or
/// the video decoding, the model code or the metrics that would silently change what a shipped
/// model does.
///
/// Tolerance: 1e-3 relative. The same computation on another machine may take the im2col
/// instead of the Winograd convolution path (no AVX2), whose results differ in the last bits
/// (1e-6 of the largest activation); carried through 20 recurrent steps and 8 sequences that
/// moves the mean MSE by well under 1e-4. A real change (another digit, a changed layer) moves
/// it by far more.
@Suite(.serialized) struct ShippedModelTests {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models")

    @Test(.requires(.mlxtendDigits), arguments: ["vmnist-motionrnn-predrnn", "vmnist-predrnn"])
    func shippedModelScoresAsRecorded(name: String) throws {
        try expectRecordedScores(name)
    }

    /// The model trained on opencv-doc's clip scores its test frames as recorded.
    @Test(.requires(.opencvClip)) func shippedClipModelScoresAsRecorded() throws {
        try expectRecordedScores("vtest-motionrnn-predrnn")
    }

    func expectRecordedScores(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let file = Self.models.appendingPathComponent("\(name).safetensors")
        #expect(try PretrainedModel.locate(name, searchDirectories: [Self.models]) == file, sourceLocation: sourceLocation)
        let trained = try TrainedModel(pretrained: file.path)
        let recorded = try #require(trained.recordedCheck, sourceLocation: sourceLocation)
        let now = try PretrainedModel.RegressionCheck.measure(trained, sequences: recorded.sequences)
        #expect(now.sequences == recorded.sequences, sourceLocation: sourceLocation)
        #expect(abs(now.meanMSE - recorded.meanMSE) <= 1e-3 * recorded.meanMSE, "MSE \(now.meanMSE), recorded \(recorded.meanMSE)",
                sourceLocation: sourceLocation)
        #expect(abs(now.meanSSIM - recorded.meanSSIM) <= 1e-3 * recorded.meanSSIM, "SSIM \(now.meanSSIM), recorded \(recorded.meanSSIM)",
                sourceLocation: sourceLocation)
        // Bigger than a few MB would not belong in the repository (the limit is 16 MB).
        let bytes = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0
        #expect(bytes < 16 << 20, sourceLocation: sourceLocation)
    }
}
