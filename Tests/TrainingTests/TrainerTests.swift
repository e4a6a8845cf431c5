import Engine
import Foundation
import Layers
import Predictor
import Testing
@testable import Training

@Suite struct TrainerTests {
    @Test func tinyModelLearnsMovingSquares() throws {
        var configuration = tinyTraining(iterations: 200)
        configuration.reverseInput = false
        configuration.validationInterval = 100
        var validationSource = MovingSquareSource(seed: 99, batchSize: 4)
        let validation = [try validationSource.nextBatch()]
        let trainer = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5),
                                  validation: validation, progress: silent())
        let history = try trainer.run()
        #expect(history.training.count == 200)
        #expect(history.validation.map(\.iteration) == [100, 200])
        let first = history.training.prefix(10).reduce(0, +) / 10
        let last = history.training.suffix(10).reduce(0, +) / 10
        print("tiny model: loss \(first) → \(last) (\(last / first)×) in 200 iterations")
        #expect(last.isFinite && last <= 0.6 * first, "loss went from \(first) to \(last)")
        // Better than predicting empty frames: the model has learnt something of the motion.
        let window = slice(Variable(validation[0]), range: 2..<4, axis: 1)
        let blank = l1PlusL2Loss(Variable(Tensor(zeros: window.shape)), window).value.scalar
        print("validation: \(history.validation.map(\.loss)), blank frames \(blank)")
        #expect(history.validation.allSatisfy { $0.loss.isFinite })
        #expect(history.validation.last!.loss < 0.8 * blank)
        #expect(trainer.iteration == 200 && trainer.eta == 0)
    }

    /// With reverse input, an iteration is one Adam step on the batch and one on the batch with
    /// its frames in reverse order (same mask), reporting the mean loss: replayed by hand here.
    @Test func reverseInputStepsOnTheReversedBatch() throws {
        var configuration = tinyTraining(iterations: 1)
        configuration.samplingDelta = 0  // η = 1: the mask is all ones, easy to replay
        configuration.samplingStopIteration = 10
        var source = MovingSquareSource(seed: 5)
        let batch = try source.nextBatch()
        let trainer = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5),
                                  progress: silent())
        try trainer.run()

        let model = try ModelFactory.make(configuration.model, seed: configuration.seed)
        let adam = Adam(namedParameters: model.namedParameters, learningRate: configuration.learningRate)
        let mask = Variable(Tensor(repeating: 1, shape: [2, 1, 4, 4, 4]))
        func step(_ images: Tensor) -> Float {
            adam.zeroGradients()
            let frames = Variable(Patching.patchify(images, patchSize: 2))
            let loss = l1PlusL2Loss(model.predict(frames: frames, mask: mask, inputLength: 2),
                                    slice(frames, range: 1..<4, axis: 1))
            loss.backward()
            adam.step()
            return loss.value.scalar
        }
        let forward = step(batch)
        let backward = step(reversedInTime(batch))
        #expect(forward != backward)
        #expect(trainer.history.training[0] == (forward + backward) / 2)
        #expect(trainer.optimizer.stepCount(ofParameter: 0) == 2)
        for ((name, ours), (_, replayed)) in zip(trainer.model.namedParameters, model.namedParameters) {
            #expect(bitsEqual(ours.value, replayed.value), "\(name) differs from the hand replay")
        }
    }

    @Test func evaluatorPredictsThePredictionWindowInImageSpace() throws {
        let configuration = tinyModel()
        let model = try ModelFactory.make(configuration, seed: 3)
        var source = MovingSquareSource(seed: 8, batchSize: 3)
        let batch = try source.nextBatch()
        let (truth, prediction) = Evaluator.predict(model, batch: batch, configuration: configuration)
        #expect(truth.shape == [3, 2, 8, 8, 1] && prediction.shape == [3, 2, 8, 8, 1])
        #expect(bitsEqual(truth, slice(Variable(batch), range: 2..<4, axis: 1).value))
        let all = model.predict(frames: Variable(Patching.patchify(batch, patchSize: 2)), mask: nil,
                                inputLength: 2)
        let expected = Patching.unpatchify(slice(all, range: 1..<3, axis: 1).value, patchSize: 2)
        #expect(bitsEqual(prediction, expected))
        #expect(model.parameters.allSatisfy { $0.grad == nil })
    }

    @Test func progressLines() {
        var written: [String] = []
        let plain = ProgressReporter(style: .automatic(lineEvery: 2), isTerminal: false) { written.append($0) }
        for i in 1...5 { plain.update(iteration: i, total: 5, loss: 0.5, eta: 0.9) }
        #expect(written.count == 3)  // iterations 2, 4 and the last
        #expect(written.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") })
        #expect(written[0].hasPrefix("iteration 2/5  loss 0.500000  sampling η 0.9000"))
        #expect(written[0].contains("it/s") && written[0].contains("ETA"))
        // The learning rate when given; a run that stops early counts the time to its stop.
        #expect(ProgressReporter.format(iteration: 10, total: 100, stop: 20, loss: 0.5, learningRate: 5e-4, eta: 0, rate: 1)
                == "iteration 10/100 (stop at 20)  loss 0.500000  lr 5.00e-04  sampling η 0.0000  1.00 it/s  ETA 10s")
        #expect(ProgressReporter.format(iteration: 10, total: 100, stop: 200, loss: 0.5, eta: 0, rate: 1)
                .hasSuffix("ETA 1m 30s"))

        written = []
        let live = ProgressReporter(style: .automatic(lineEvery: 2), isTerminal: true) { written.append($0) }
        live.update(iteration: 1, total: 3, loss: 1, eta: 1)
        live.message("validation")
        live.update(iteration: 2, total: 3, loss: 1, eta: 1)
        live.update(iteration: 3, total: 3, loss: 1, eta: 1)
        #expect(written.count == 4 && written.allSatisfy { $0.hasPrefix("\r") })
        #expect(!written[0].hasSuffix("\n") && written[1].hasSuffix("validation\n") && written[3].hasSuffix("\n"))
        // A run that stops early ends its line.
        written = []
        live.update(iteration: 1, total: 3, loss: 1, eta: 1)
        live.finish()
        #expect(written == [written[0], "\n"])
        #expect(ProgressReporter.duration(42) == "42s" && ProgressReporter.duration(725) == "12m 05s"
                    && ProgressReporter.duration(12_000) == "3h 20m")
    }

    @Test func invalidConfigurationNamesTheField() {
        var configuration = tinyTraining(iterations: 0)
        #expect(errorMessage { _ = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 1)) }
                    .contains("iterations"))
        configuration.iterations = 5
        configuration.learningRate = -1
        #expect(errorMessage { _ = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 1)) }
                    .contains("learningRate"))
    }

    @Test func wrongBatchShapeIsRejected() throws {
        let trainer = try Trainer(configuration: tinyTraining(iterations: 2),
                                  batches: MovingSquareSource(seed: 1, batchSize: 3), progress: silent())
        let message = errorMessage { try trainer.run() }
        #expect(message.contains("training batch of iteration 1") && message.contains("[3, 4, 8, 8, 1]"))
    }

    @Test func configurationRoundTripsThroughJSON() throws {
        let configuration = tinyTraining(iterations: 12)
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: data) == configuration)
        var other = configuration
        other.learningRate = 1e-4
        other.model.hiddenChannels = [8, 8]
        #expect(configuration.differences(from: other).map(\.field) == ["learningRate", "model.hiddenChannels"])
    }
}
