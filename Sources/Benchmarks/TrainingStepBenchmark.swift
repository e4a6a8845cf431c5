import Engine
import Foundation
import Predictor
import Layers

/// One training step and one inference forward of a model on random data, set up exactly as
/// `bench/torch_bench.py` sets up PyTorch's (issue 5), so the two engines time the same work:
/// frames uniform in [0, 1], a scheduled-sampling mask of ones or zeros drawn per (sequence,
/// step) for training and all zeros for inference, loss MSE (+ L1), Adam.
package final class TrainingStepBenchmark {
    package enum ModelKind: String, CaseIterable, Sendable {
        case motionRNNPredRNN = "motionrnn_predrnn"
        case predRNN = "predrnn"
    }

    package enum Loss: String, CaseIterable, Sendable {
        case mseL1 = "mse+l1", mse
    }

    package struct Setup: Sendable {
        package var model: ModelKind
        package var channels: Int
        package var layers = 4
        package var filterSize = 5
        package var imageSize = 64
        package var imageChannels = 1
        package var patchSize = 4
        package var inputLength = 10
        package var totalLength = 20
        package var batch = 8
        package var learningRate = 3e-4
        package var loss = Loss.mseL1
        package var seed: UInt64 = 0

        package init(model: ModelKind, channels: Int) {
            self.model = model
            self.channels = channels
        }

        package var configuration: ModelConfiguration {
            ModelConfiguration(
                backbone: .predrnn, motion: model == .motionRNNPredRNN ? .full : .none,
                imageHeight: imageSize, imageWidth: imageSize, imageChannels: imageChannels,
                patchSize: patchSize, hiddenChannels: Array(repeating: channels, count: layers),
                filterSize: filterSize, inputLength: inputLength, totalLength: totalLength)
        }
    }

    package let setup: Setup
    package let model: any SequencePredictor
    let optimizer: Adam
    let frames: Variable
    let target: Variable
    let trainingMask: Variable
    let inferenceMask: Variable

    package init(_ setup: Setup) throws {
        self.setup = setup
        let configuration = setup.configuration
        model = try ModelFactory.make(configuration, seed: setup.seed)
        optimizer = Adam(parameters: model.parameters, learningRate: setup.learningRate)
        let (b, t, tIn) = (setup.batch, setup.totalLength, setup.inputLength)
        let (h, w, cp) = (configuration.patchHeight, configuration.patchWidth, configuration.frameChannels)
        var random = RandomGenerator(seed: setup.seed &+ 1)
        let frameTensor = Tensor.uniform(shape: [b, t, h, w, cp], low: 0, high: 1, using: &random)
        frames = Variable(frameTensor)
        target = Variable(Self.framesFromOne(frameTensor))
        // One coin per (sequence, step), as the official scheduled sampling draws it (eta 0.5).
        let steps = t - tIn - 1, plane = h * w * cp
        let mask = Tensor(shape: [b, steps, h, w, cp]) { mask in
            for index in 0..<(b * steps) {
                let value: Float = random.unitFloat() < 0.5 ? 1 : 0
                (mask.baseAddress! + index * plane).update(repeating: value, count: plane)
            }
        }
        trainingMask = Variable(mask)
        inferenceMask = Variable(Tensor(zeros: [b, steps, h, w, cp]))
    }

    /// frames[:, 1:], the targets of the T − 1 predictions.
    private static func framesFromOne(_ frames: Tensor) -> Tensor {
        let b = frames.shape[0], t = frames.shape[1], frame = frames.count / (b * t)
        return Tensor(shape: [b, t - 1] + frames.shape.suffix(3)) { out in
            for item in 0..<b {
                (out.baseAddress! + item * (t - 1) * frame)
                    .update(from: frames.pointer + (item * t + 1) * frame, count: (t - 1) * frame)
            }
        }
    }

    /// Forward with the scheduled-sampling mask, loss, backward, Adam step. Returns the loss.
    @discardableResult
    package func trainStep() -> Float {
        model.zeroGradients()
        let prediction = model.predict(frames: frames, mask: trainingMask, inputLength: setup.inputLength)
        let loss = setup.loss == .mse ? mseLoss(prediction, target) : l1PlusL2Loss(prediction, target)
        loss.backward()
        optimizer.step()
        return loss.value.scalar
    }

    /// Inference forward (no graph) with a zero mask. Returns one output value.
    @discardableResult
    package func inference() -> Float {
        let prediction = withoutGradients {
            model.predict(frames: frames, mask: inferenceMask, inputLength: setup.inputLength)
        }
        return prediction.value.scalars[0]
    }

    /// Multiply-adds of one inference forward over the whole batch (convolutions and products).
    package func forwardMultiplyAdds() -> Int {
        OperationCounter.count { inference() }.multiplyAdds
    }

    /// Writes the current parameters under their official names (for PyTorch's `--params`).
    package func writeParameters(to url: URL) throws {
        try SafetensorsFile.write(model.stateDictionary(), to: url)
    }

    package func loadParameters(from url: URL) throws {
        try model.loadParameters(from: SafetensorsFile.read(from: url).tensors, source: url.path)
    }
}
