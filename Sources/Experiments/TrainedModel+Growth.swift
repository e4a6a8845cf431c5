import Engine
import Layers
import Predictor

extension TrainedModel {
    /// This model's parameters made to fit `model`, the same architecture built with
    /// `configuration`, which may have wider layers (`WidthGrowth`) or a larger filter
    /// (`KernelGrowth`) than this one: either way the result first predicts what this model
    /// does. A PredRNN model made PredRNN-v2 keeps `model`'s fresh adapter (it only adds the
    /// decoupling loss). Other mismatches are left for `loadParameters` to report.
    public func fittedParameters(to model: any SequencePredictor, of configuration: ModelConfiguration) throws -> [String: Tensor] {
        var parameters = self.model.stateDictionary()
        let (width, newWidth) = (experiment.model.hiddenChannels, configuration.hiddenChannels)
        if width != newWidth {
            guard let describing = model as? any ChannelLayoutDescribing,
                  let old = width.first, let new = newWidth.first,
                  width.allSatisfy({ $0 == old }), newWidth.allSatisfy({ $0 == new }), width.count == newWidth.count
            else {
                throw ExperimentError("layers \(width) cannot grow to \(newWidth): width growth is built for PredRNN, PredRNN-v2 and ConvLSTM (plain or with MotionRNN), the same number of layers, all of one width")
            }
            parameters = try WidthGrowth.grown(parameters, width: old, toFit: describing, newWidth: new)
        }
        parameters = KernelGrowth.grown(parameters, toFit: model)
        if experiment.model.becomesPredRNNv2(as: configuration) {
            for (name, parameter) in model.namedParameters where parameters[name] == nil {
                parameters[name] = parameter.value
            }
        }
        return parameters
    }
}
