import Datasets
import Engine
import Experiments
import Foundation
import Predictor
import Testing
import Training

/// `motionrnn import`: parameters trained elsewhere, under the official names, become a model
/// that predicts exactly as the one they came from, or a clear refusal.
@Suite struct ImportTests {
    /// A model's parameters written as a bare state dict (what the converter script writes).
    func stateDictFile(of model: any SequencePredictor, changing change: (inout [String: Tensor]) -> Void = { _ in })
        throws -> URL {
        var tensors = model.stateDictionary()
        change(&tensors)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-import-\(UUID().uuidString).safetensors")
        try SafetensorsFile.write(tensors, to: url)
        return url
    }

    @Test func importedParametersPredictAsTheirSource() throws {
        let data = try ExperimentRunnerTests.movingSquareFolder()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-imported-\(UUID().uuidString).safetensors")
        let experiment = ExperimentRunnerTests.experiment(data: data, iterations: 2)
        // Another seed than the experiment's: the import must load them, not draw its own.
        let source = try ModelFactory.make(experiment.model, seed: experiment.training.seed + 17)
        let file = try stateDictFile(of: source)
        defer { for url in [data, file, output] { try? FileManager.default.removeItem(at: url) } }

        let imported = try TrainedModel(importing: file, experiment: experiment)
        #expect(imported.importedFrom == file.lastPathComponent && imported.iteration == 0)
        let batch = try BatchSampler.batch(of: try experiment.data.datasets(experiment.dataOptions).test, indices: [0])
        let expected = Evaluator.predict(source, batch: batch, configuration: experiment.model).prediction
        func predictsAsTheSource(_ model: any SequencePredictor) -> Bool {
            Evaluator.predict(model, batch: batch, configuration: experiment.model).prediction.scalars == expected.scalars
        }
        #expect(predictsAsTheSource(imported.model))

        // Written as a pretrained model, it loads as one and still says where it came from.
        try PretrainedModel.write(imported, to: output)
        let reloaded = try TrainedModel(pretrained: output.path)
        #expect(reloaded.importedFrom == file.lastPathComponent && reloaded.trainingFrames != nil)
        #expect(predictsAsTheSource(reloaded.model))
    }

    @Test func missingUnknownAndMisshapenTensorsAreRefused() throws {
        let data = try ExperimentRunnerTests.movingSquareFolder()
        defer { try? FileManager.default.removeItem(at: data) }
        let experiment = ExperimentRunnerTests.experiment(data: data, iterations: 2)
        let source = try ModelFactory.make(experiment.model, seed: 3)
        let name = source.namedParameters[1].name

        let missing = try stateDictFile(of: source) { $0[name] = nil }
        let unknown = try stateDictFile(of: source) { $0["cell_list.9.conv_x.0.weight"] = Tensor(zeros: [2]) }
        let misshapen = try stateDictFile(of: source) { $0[name] = Tensor(zeros: [3]) }
        defer { for url in [missing, unknown, misshapen] { try? FileManager.default.removeItem(at: url) } }

        #expect { try TrainedModel(importing: missing, experiment: experiment) } throws: {
            "\($0)".contains("lacks 1 of the") && "\($0)".contains("'\(name)'")
        }
        #expect { try TrainedModel(importing: unknown, experiment: experiment) } throws: {
            "\($0)".contains("'cell_list.9.conv_x.0.weight'") && "\($0)".contains("--ignore-unknown")
        }
        var skipped: [String] = []
        _ = try TrainedModel(importing: unknown, experiment: experiment, ignoringUnknown: true) { skipped = $0 }
        #expect(skipped == ["cell_list.9.conv_x.0.weight"])
        #expect { try TrainedModel(importing: misshapen, experiment: experiment) } throws: {
            "\($0)".contains("'\(name)' has shape [3]")
        }
    }

    /// Parameters of a model with layer norm, imported without --layer-norm: the error says which
    /// flag is missing rather than suggesting to skip them.
    @Test func layerNormParametersAskForTheFlag() throws {
        let data = try ExperimentRunnerTests.movingSquareFolder()
        defer { try? FileManager.default.removeItem(at: data) }
        let experiment = ExperimentRunnerTests.experiment(data: data, iterations: 2)
        var normalized = experiment.model
        normalized.layerNorm = true
        let file = try stateDictFile(of: try ModelFactory.make(normalized, seed: 3))
        defer { try? FileManager.default.removeItem(at: file) }
        #expect { try TrainedModel(importing: file, experiment: experiment) } throws: {
            "\($0)".contains("add --layer-norm") && !"\($0)".contains("--ignore-unknown")
        }
    }
}
