import Datasets
import Engine
import Predictor
import Training

extension Evaluation {
    /// The first `count` test sequences whole, and the same with the model's predictions after
    /// the input window (the inputs followed by the predicted frames): the two sets a video
    /// metric such as FVD compares. Each sequence is [T, H, W, C].
    public static func sequences(of model: any SequencePredictor, on testSet: any SequenceDataset, count: Int,
                                 batchSize: Int, configuration: ModelConfiguration)
        throws -> (truth: [Tensor], predicted: [Tensor]) {
        var truth: [Tensor] = [], predicted: [Tensor] = []
        let total = min(count, testSet.count)
        var start = 0
        while start < total {
            let indices = Array(start..<min(start + batchSize, total))
            let batch = try BatchSampler.batch(of: testSet, indices: indices)
            let prediction = Evaluator.predict(model, batch: batch, configuration: configuration).prediction
            let inputs = Concatenation.slice(batch, start: 0, length: configuration.inputLength, axis: 1)
            let whole = Concatenation.apply([inputs, prediction], axis: 1)
            for k in 0..<indices.count {
                truth.append(item(batch, k))
                predicted.append(item(whole, k))
            }
            start += indices.count
        }
        return (truth, predicted)
    }

    /// Item k of a [B, …] tensor.
    private static func item(_ batch: Tensor, _ k: Int) -> Tensor {
        Concatenation.slice(batch, start: k, length: 1, axis: 0).reshaped(Array(batch.shape.dropFirst()))
    }
}
