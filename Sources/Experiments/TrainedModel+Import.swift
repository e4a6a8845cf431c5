import Engine
import Foundation
import Predictor
import Training

extension TrainedModel {
    /// A model trained elsewhere: the architecture `experiment` describes, its parameters read by
    /// their official names from the safetensors file `url` (e.g. a `state_dict` of the official
    /// PyTorch code, converted by scripts/convert-official-checkpoint.py). Every parameter of the
    /// model must be there with its shape; names the model does not have are an error, unless
    /// `ignoringUnknown` (OpenSTL's models keep some unused in their forward pass): then they are
    /// passed to `skipped`.
    public init(importing url: URL, experiment: Experiment, ignoringUnknown: Bool = false,
                skipped: ([String]) -> Void = { _ in }) throws {
        let file = try SafetensorsFile.read(from: url)
        let model = try ModelFactory.make(experiment.model, seed: experiment.training.seed)
        let expected = Set(model.namedParameters.map(\.name))
        let missing = model.namedParameters.map(\.name).filter { file.tensors[$0] == nil }
        let unknown = file.tensors.keys.filter { !expected.contains($0) }.sorted()
        func some(_ names: [String]) -> String {
            names.prefix(4).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 4 ? " and \(names.count - 4) more" : "")
        }
        guard missing.isEmpty else {
            throw ExperimentError("\(url.path) lacks \(missing.count) of the \(expected.count) parameters of \(experiment.model.displayName) with layers \(experiment.model.hiddenChannels): \(some(missing)) (does the file hold this model, with these --model, --hidden and --layer-norm?)")
        }
        guard unknown.isEmpty || ignoringUnknown else {
            // conv_x.1 / conv_h.1 …: the LayerNorm after a gate convolution (official `layer_norm = 1`).
            let layerNorm = !experiment.model.layerNorm && unknown.contains { $0.range(of: #"\.conv_[a-z]+\.1\."#, options: .regularExpression) != nil }
            throw ExperimentError("\(url.path) holds \(unknown.count) tensors that \(experiment.model.displayName) has no parameter for: \(some(unknown)) ("
                                  + (layerNorm ? "they look like layer norm: add --layer-norm" : "another model or settings? if they are unused by the original model, add --ignore-unknown") + ")")
        }
        if !unknown.isEmpty { skipped(unknown) }
        try model.loadParameters(from: file.tensors, source: url.path)
        self.experiment = experiment
        self.model = model
        iteration = 0
        history = LossHistory()
        checkpoint = url
        trainingFrames = nil
        recordedCheck = nil
        averagedIterations = nil
        importedFrom = url.lastPathComponent
        earlierStages = nil
    }
}
