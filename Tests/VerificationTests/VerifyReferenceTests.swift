import Engine
import Foundation
import Predictor
import Verification
import Testing
import TestSupport

/// `motionrnn verify-reference`'s library side: the real fixtures pass, and a perturbed
/// parameter, a missing sidecar or tensor, or a wrong shape make it fail with a clear message.
@Suite final class VerifyReferenceTests {
    /// Temporary fixture copies, removed when the test ends.
    var folders: [URL] = []
    deinit { for folder in folders { try? FileManager.default.removeItem(at: folder) } }

    func verify(_ name: String, tolerance: Double = 1e-4) throws -> ReferenceReport {
        try ReferenceVerifier.verify(fixtureAt: Fixtures.url("\(name).safetensors"), tolerance: tolerance)
    }

    /// A copy of fixture `name` (a shared one, or one of `Fixtures.projectDirectory` with
    /// `project`) in a fresh temporary folder, with its tensors and sidecar edited.
    func editedCopy(of name: String, project: Bool = false, tensors edit: (inout [String: Tensor]) -> Void = { _ in },
                    sidecar editSidecar: ((inout [String: Any]) -> Void)? = nil, writeSidecar: Bool = true) throws -> URL {
        let source = { (file: String) in project ? Fixtures.projectDirectory.appendingPathComponent(file) : Fixtures.url(file) }
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("verify-reference-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        folders.append(folder)
        var tensors = try SafetensorsFile.read(from: source("\(name).safetensors")).tensors
        edit(&tensors)
        let url = folder.appendingPathComponent("\(name).safetensors")
        try SafetensorsFile.write(tensors, to: url)
        if writeSidecar {
            let original = try Data(contentsOf: source("\(name).json"))
            var json = try JSONSerialization.jsonObject(with: original) as! [String: Any]
            editSidecar?(&json)
            try JSONSerialization.data(withJSONObject: json).write(to: folder.appendingPathComponent("\(name).json"))
        }
        return url
    }

    /// Sets `config[key]` of a sidecar.
    static func setConfig(_ json: inout [String: Any], _ key: String, _ value: Any) {
        var config = json["config"] as? [String: Any] ?? [:]
        config[key] = value
        json["config"] = config
    }

    func expectError(_ url: URL, mentioning texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let report = try ReferenceVerifier.verify(fixtureAt: url)
            Issue.record("expected an error, got \(report.summary)", sourceLocation: sourceLocation)
        } catch {
            let message = "\(error)"
            for text in texts {
                #expect(message.contains(text), "\(message)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func officialPredRNNFixturesPass() throws {
        for (name, parameters) in [("predrnn_small", 16), ("motionrnn_predrnn_small", 47),
                                   ("motionrnn_predrnn_small_ln", 71)] {
            let report = try verify(name)
            print(report.summary)
            #expect(report.passed, "\(report.summary)")
            // next_frames, loss, and one gradient per parameter.
            #expect(report.comparisons.count == 2 + parameters, "\(name)")
            #expect(report.comparisons.allSatisfy { ($0.relativeError ?? 1) < 1e-5 }, "\(report.table())")
            #expect(report.kind.contains(name.hasPrefix("motionrnn") ? "MotionRNN-PredRNN" : "PredRNN"))
        }
    }

    /// The official PredRNN with reverse scheduled sampling (our fixture, made by
    /// scripts/make-official-fixtures.py from predrnn_small's parameters and frames): the
    /// mask covers the input window too. Read as ordinary scheduled sampling (the flag removed),
    /// the same file is refused for its mask's shape.
    @Test func officialReverseScheduledSamplingFixturePasses() throws {
        let url = Fixtures.projectDirectory.appendingPathComponent("predrnn_reverse_sampling_small.safetensors")
        let report = try ReferenceVerifier.verify(fixtureAt: url)
        print(report.summary)
        #expect(report.passed, "\(report.summary)")
        #expect(report.comparisons.count == 3 + 16)   // next_frames, loss, loss_mse and the gradients
        #expect(report.comparisons.allSatisfy { ($0.relativeError ?? 1) < 1e-5 }, "\(report.table())")
        #expect(report.kind.contains("reverse scheduled sampling"))

        let copy = try editedCopy(of: "predrnn_reverse_sampling_small", project: true,
                                  sidecar: { Self.setConfig(&$0, "reverse_scheduled_sampling", 0) })
        expectError(copy, mentioning: ["input.mask_true has shape [2, 4, 8, 8, 4]", "[2, 2, 8, 8, 4]"])
    }

    /// The official PredRNN-v2 (our fixture, from predrnn_small's parameters and frames and a
    /// drawn adapter): predictions, MSE, the loss with its decoupling term and every gradient,
    /// the adapter's included. With another β in the sidecar the loss and the gradients fail,
    /// the predictions and their MSE do not.
    @Test func officialPredRNNv2FixturePasses() throws {
        let url = Fixtures.projectDirectory.appendingPathComponent("predrnn_v2_small.safetensors")
        let report = try ReferenceVerifier.verify(fixtureAt: url)
        print(report.summary)
        #expect(report.passed, "\(report.summary)")
        #expect(report.comparisons.count == 3 + 17)
        #expect(report.comparisons.contains { $0.name == "grad.adapter.weight" })
        #expect(report.comparisons.allSatisfy { ($0.relativeError ?? 1) < 1e-5 }, "\(report.table())")
        #expect(report.kind.contains("PredRNN-v2"))

        let copy = try editedCopy(of: "predrnn_v2_small", project: true, sidecar: { Self.setConfig(&$0, "decouple_beta", 0.2) })
        let changed = try ReferenceVerifier.verify(fixtureAt: copy)
        let failed = Set(changed.failures.map(\.name))
        #expect(failed.contains("output.loss") && failed.contains("grad.adapter.weight"), "\(failed)")
        #expect(!failed.contains("output.next_frames") && !failed.contains("output.loss_mse"), "\(failed)")
    }

    @Test func componentFixturesPass() throws {
        for (name, kind) in [("warp_small", "Warp"), ("motiongru_small", "MotionGRU"),
                             ("stlstm_highway_small", "ST-LSTM")] {
            let report = try verify(name)
            print(report.summary)
            #expect(report.passed, "\(report.summary)")
            #expect(report.kind.hasPrefix("component fixture: \(kind)"))
            #expect(report.comparisons.contains { $0.name.hasPrefix("grad.input.") })
            #expect(report.uncompared.isEmpty, "\(report.uncompared)")
        }
    }

    @Test func perturbedParameterFails() throws {
        // One weight of the output convolution moved by 0.02 (its weights are N(0, 0.1²)).
        let url = try editedCopy(of: "motionrnn_predrnn_small") { tensors in
            tensors["conv_last.weight"]!.withUnsafeMutableBufferPointer { $0[3] += 0.02 }
        }
        let report = try ReferenceVerifier.verify(fixtureAt: url)
        print(report.summary)
        #expect(!report.passed)
        let failed = Set(report.failures.map(\.name))
        #expect(failed.contains("output.next_frames") && failed.contains("grad.conv_last.weight")
                && failed.contains("grad.cell_list.2.conv_last.weight"), "\(failed)")
        #expect(report.summary.contains("FAIL"))
        #expect(report.table().contains("FAIL"))
    }

    @Test func tightToleranceFails() throws {
        let report = try verify("predrnn_small", tolerance: 1e-9)
        #expect(!report.passed && report.failures.count == report.comparisons.count)
    }

    @Test func missingPiecesAreErrorsNamingTheFile() throws {
        let noSidecar = try editedCopy(of: "predrnn_small", writeSidecar: false)
        expectError(noSidecar, mentioning: ["missing JSON sidecar", noSidecar.deletingPathExtension().path + ".json"])

        let noGradient = try editedCopy(of: "predrnn_small") { $0["grad.conv_last.weight"] = nil }
        expectError(noGradient, mentioning: [noGradient.path, "missing tensor 'grad.conv_last.weight'"])

        let noParameter = try editedCopy(of: "predrnn_small") { $0["cell_list.2.conv_m.0.weight"] = nil }
        expectError(noParameter, mentioning: [noParameter.path, "cell_list.2.conv_m.0.weight"])

        let badMask = try editedCopy(of: "predrnn_small") { $0["input.mask_true"] = Tensor(zeros: [2, 3, 8, 8, 4]) }
        expectError(badMask, mentioning: ["input.mask_true has shape [2, 3, 8, 8, 4]", "[2, 2, 8, 8, 4]"])

        let badReference = try editedCopy(of: "predrnn_small") { $0["output.next_frames"] = Tensor(zeros: [2, 4, 8, 8, 4]) }
        expectError(badReference, mentioning: ["output.next_frames has shape [2, 4, 8, 8, 4]"])

        let unknownModel = try editedCopy(of: "predrnn_small", sidecar: { Self.setConfig(&$0, "model", "SimVP") })
        expectError(unknownModel, mentioning: ["config model 'SimVP' is unknown"])

        let foreignParameter = try editedCopy(of: "predrnn_small", sidecar: { json in
            json["param_names_in_order"] = (json["param_names_in_order"] as! [String]) + ["extra.weight"]
        })
        expectError(foreignParameter, mentioning: ["'extra.weight' has no counterpart"])
    }

    @Test func officialConfigKeysAreMapped() throws {
        // num_hidden as the official trainers' string, layer_norm as a boolean.
        let url = try editedCopy(of: "motionrnn_predrnn_small_ln", sidecar: { json in
            Self.setConfig(&json, "num_hidden", "8,8,8")
            Self.setConfig(&json, "layer_norm", true)
        })
        let configuration = try ReferenceVerifier.configuration(of: ReferenceFixture(contentsOf: url))
        #expect(configuration == ModelConfiguration(
            backbone: .predrnn, motion: .full, imageHeight: 16, imageWidth: 16, imageChannels: 1, patchSize: 2,
            hiddenChannels: [8, 8, 8], filterSize: 3, layerNorm: true, inputLength: 3, totalLength: 6))
        #expect(try ReferenceVerifier.verify(fixtureAt: url).passed)

        let plain = try ReferenceVerifier.configuration(of: ReferenceFixture(contentsOf: Fixtures.url("predrnn_small.safetensors")))
        #expect(plain.backbone == .predrnn && plain.motion == .none && !plain.layerNorm)
    }

    @Test(arguments: ["convlstm_small", "mim_small", "e3dlstm_small", "e3dlstm_small_openstl_asis"])
    func otherBackbonesVerify(name: String) throws {
        let report = try verify(name)
        #expect(report.passed, "\(report.summary)")
    }
}
