import Engine
import Foundation
import Imaging
import Testing
import TestSupport

/// `motionrnn import` on the parameters of the official code (the reference fixture's, under the
/// official names, as the converter script writes a state dict), then used like any model.
@Suite(.serialized) struct ImportCommandTests {
    /// The official MotionRNN-PredRNN parameters alone (or another fixture's): what a converted
    /// `model.ckpt` holds.
    func officialStateDict(in folder: URL, fixture name: String = "motionrnn_predrnn_small", project: Bool = false) throws -> URL {
        let file = { (suffix: String) in
            project ? Fixtures.projectDirectory.appendingPathComponent(name + suffix) : Fixtures.url(name + suffix)
        }
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: file(".json")))
        let names = try #require((sidecar as? [String: Any])?["param_names_in_order"] as? [String])
        let fixture = try SafetensorsFile.read(from: file(".safetensors"))
        let url = folder.appendingPathComponent("official-\(name).safetensors")
        try SafetensorsFile.write(Dictionary(uniqueKeysWithValues: try names.map { ($0, try #require(fixture.tensors[$0])) }),
                                  to: url)
        return url
    }

    /// 40 frames of 16×16 (the fixture model's frame size) with a square moving.
    func frames(in folder: URL) throws -> URL {
        let frames = folder.appendingPathComponent("frames")
        try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
        for t in 0..<40 {
            var image = Image(width: 16, height: 16, channels: 1, fill: .black)
            image.fillRect(x: t % 12, y: 4, width: 4, height: 4, color: .white)
            try PNG.write(image, to: frames.appendingPathComponent(String(format: "f%02d.png", t)))
        }
        return frames
    }

    @Test func officialParametersImportAndPredict() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (state, frames) = (try officialStateDict(in: folder), try frames(in: folder))
        let model = folder.appendingPathComponent("official-small.safetensors").path
        // The fixture's configuration (its sidecar's config): 3 × 8, filter 3, patch 2, 16×16, 3 → 3.
        let architecture = ["--model", "motionrnn-predrnn", "--hidden", "8,8,8", "--filter-size", "3", "--patch-size", "2",
                            "--image-size", "16", "--input-length", "3", "--output-length", "3", "--data", frames.path]
        let imported = try CommandLineRun(["import", state.path, "--output", model] + architecture)
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.output.contains("MotionRNN-PredRNN"), "\(imported.output)")

        let predicted = try CommandLineRun(["predict", "--pretrained", model, frames.path,
                                            "--output", folder.appendingPathComponent("p").path])
        #expect(predicted.status == 0, "\(predicted.error)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("p/predicted-03.png").path))

        // Flags that describe another model: refused, naming what does not fit.
        try CommandLineRun(["import", state.path, "--output", model] + architecture.map { $0 == "8,8,8" ? "8,8" : $0 })
            .expectRefusal(mentioning: ["has no parameter for", "cell_list.2."])
        try CommandLineRun(["import", state.path, "--output", model] + architecture.map { $0 == "8,8,8" ? "16,16,16" : $0 })
            .expectRefusal(mentioning: ["has shape"])
        try CommandLineRun(["import", state.path, "--output", "model.bin"] + architecture)
            .expectRefusal(mentioning: ["--output", ".safetensors"])
    }

    /// Official PredRNN-v2 parameters (our fixture's, adapter included) import as predrnnv2.
    @Test func officialPredRNNv2ParametersImport() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = try officialStateDict(in: folder, fixture: "predrnn_v2_small", project: true)
        let frames = try frames(in: folder)
        let model = folder.appendingPathComponent("v2.safetensors").path
        let imported = try CommandLineRun(["import", state.path, "--output", model, "--model", "predrnnv2",
                                           "--hidden", "8,8,8", "--filter-size", "3", "--patch-size", "2", "--image-size", "16",
                                           "--input-length", "3", "--output-length", "3", "--data", frames.path])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.output.contains("PredRNN-v2"), "\(imported.output)")
    }
}
