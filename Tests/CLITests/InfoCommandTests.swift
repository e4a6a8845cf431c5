import Engine
import Foundation
import Testing

/// `info` of a trained model: its own setting and size, not a preset's.
@Suite struct InfoCommandTests {
    static let models = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("models")

    /// The parameter count is the file's (every tensor in it is a parameter), and the setting
    /// line is the shipped model's, 4 layers × 40 (a preset would say 64).
    @Test(arguments: ["vmnist-motionrnn-predrnn", "vmnist-predrnn"])
    func aShippedModelIsDescribedByItsOwnSetting(name: String) throws {
        let file = try SafetensorsFile.read(from: Self.models.appendingPathComponent("\(name).safetensors"))
        let parameters = file.tensors.values.map(\.count).reduce(0, +)
        let run = try CommandLineRun(["info", "--pretrained", name])
        #expect(run.status == 0, "\(run.error)")
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("\(name == "vmnist-predrnn" ? "PredRNN" : "MotionRNN-PredRNN"): 64×64×1, patch 4, 4 layers × 40, filter 3, 10 → 10 frames") == true,
                "\(run.output)")
        let row = try #require(lines.last?.split(separator: " ").map(String.init))
        #expect(row.first == String(name.dropFirst("vmnist-".count)) && row.dropFirst().first == "\(parameters)", "\(run.output)")
    }

    @Test(arguments: [["info"], ["info", "--model", "predrnn", "--pretrained", "vmnist-predrnn"],
                      ["info", "--all", "some-run"]])
    func oneModelSourceExactly(_ arguments: [String]) throws {
        try CommandLineRun(arguments).expectRefusal(mentioning: ["give one of --model M, --all, a run folder or --pretrained NAME"])
    }
}
