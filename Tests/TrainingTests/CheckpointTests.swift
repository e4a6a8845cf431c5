import Engine
import Foundation
import Layers
import Predictor
import Testing
@testable import Training

@Suite struct CheckpointTests {
    /// 6 iterations straight against 3, a resume from the checkpoint, and 3 more: the parameters,
    /// Adam's state and the loss history must be bit-identical (reverse input and random masks on).
    @Test func resumeContinuesExactly() throws {
        var configuration = tinyTraining(iterations: 6)
        configuration.samplingDelta = 0.1  // η from 0.9 to 0.4: masks with both values
        configuration.samplingStopIteration = 100
        configuration.checkpointInterval = 3
        configuration.validationInterval = 2
        var validationSource = MovingSquareSource(seed: 77)
        let validation = [try validationSource.nextBatch()]

        let straightDirectory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: straightDirectory) }
        let straight = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5),
                                   validation: validation, checkpointDirectory: straightDirectory,
                                   progress: silent())
        try straight.run()

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5),
                                validation: validation, checkpointDirectory: directory, progress: silent())
        try first.run(until: 3)
        #expect(try files(in: directory) == ["checkpoint-3.json", "checkpoint-3.safetensors"])

        let resumed = try Trainer.resume(from: directory, configuration: configuration,
                                         batches: MovingSquareSource(seed: 5), validation: validation,
                                         progress: silent())
        #expect(resumed.iteration == 3 && resumed.lastCheckpoint?.lastPathComponent == "checkpoint-3.json")
        #expect(resumed.history == first.history)
        try resumed.run()

        #expect(resumed.iteration == 6)
        #expect(resumed.history == straight.history)
        #expect(resumed.history.training.count == 6 && resumed.history.validation.count == 3)
        for ((name, a), (_, b)) in zip(straight.model.namedParameters, resumed.model.namedParameters) {
            #expect(bitsEqual(a.value, b.value), "parameter \(name) differs after resume")
        }
        let stateA = straight.optimizer.stateTensors(), stateB = resumed.optimizer.stateTensors()
        #expect(stateA.keys.sorted() == stateB.keys.sorted())
        for (key, tensor) in stateA { #expect(bitsEqual(tensor, stateB[key]!), "\(key) differs") }

        // The checkpoint holds parameters under their names and Adam's state under `optimizer.`.
        let saved = try CheckpointStore(directory: directory).loadNewest()
        #expect(saved.state.iteration == 6 && saved.state.configuration == configuration)
        #expect(saved.state.batchSourceState != nil && saved.state.trainerRandomState.count == 4)
        for (name, parameter) in resumed.model.namedParameters {
            #expect(bitsEqual(saved.tensors[name]!, parameter.value))
            #expect(saved.tensors["optimizer.exp_avg.\(name)"] != nil)
        }
        #expect(saved.tensors["optimizer.step.\(resumed.model.namedParameters[0].name)"]?.scalars == [12])
        // Without a configuration the saved one is used; more iterations may be asked for.
        let again = try Trainer.resume(from: directory, batches: MovingSquareSource(seed: 5), progress: silent())
        #expect(again.configuration == configuration)
        var longer = configuration
        longer.iterations = 10
        let extended = try Trainer.resume(from: directory, configuration: longer,
                                          batches: MovingSquareSource(seed: 5), progress: silent())
        try extended.run()
        #expect(extended.iteration == 10)
    }

    @Test func keepsTheLastKCheckpoints() throws {
        var configuration = tinyTraining(iterations: 5)
        configuration.reverseInput = false
        configuration.checkpointInterval = 1
        configuration.keepCheckpoints = 2
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // An orphan tensors file, as an interrupted write leaves it.
        try Data([1, 2, 3]).write(to: directory.appendingPathComponent("checkpoint-1.safetensors"))
        let trainer = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 1),
                                  checkpointDirectory: directory, progress: silent())
        var seen: [[String]] = []
        try trainer.run { _ in seen.append((try? files(in: directory)) ?? []) }
        #expect(seen[0] == ["checkpoint-1.json", "checkpoint-1.safetensors"])
        #expect(seen[2] == ["checkpoint-2.json", "checkpoint-2.safetensors",
                            "checkpoint-3.json", "checkpoint-3.safetensors"])
        #expect(try files(in: directory) == ["checkpoint-4.json", "checkpoint-4.safetensors",
                                             "checkpoint-5.json", "checkpoint-5.safetensors"])
        #expect(try CheckpointStore(directory: directory).completeIterations() == [4, 5])
        // A tensors file without its JSON is not a checkpoint: resume takes the newest complete one.
        try Data([0]).write(to: directory.appendingPathComponent("checkpoint-9.safetensors"))
        let resumed = try Trainer.resume(from: directory, batches: MovingSquareSource(seed: 1), progress: silent())
        #expect(resumed.iteration == 5)
    }

    @Test func nanDataIsRejectedNamingTheBatch() throws {
        var configuration = tinyTraining(iterations: 6)
        configuration.checkpointInterval = 2
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = MovingSquareSource(seed: 2) { number, batch in
            guard number == 3 else { return batch }
            var corrupted = batch
            corrupted.withUnsafeMutableBufferPointer { $0[1 * 4 * 64 + 2 * 64 + 5 * 8 + 6] = .nan }  // sequence 1, frame 2, y 5, x 6
            return corrupted
        }
        let trainer = try Trainer(configuration: configuration, batches: source,
                                  checkpointDirectory: directory, progress: silent())
        let message = errorMessage { try trainer.run() }
        #expect(message.contains("training batch of iteration 3"), "\(message)")
        #expect(message.contains("nan") && message.contains("sequence 1, frame 2") && message.contains("y 5, x 6"),
                "\(message)")
        #expect(trainer.iteration == 2)
        #expect(try CheckpointStore(directory: directory).completeIterations() == [2])
        // The failed trainer refuses to go on; the checkpoint resumes.
        #expect(errorMessage { try trainer.trainIteration() }.contains("resume from its last checkpoint"))
        let resumed = try Trainer.resume(from: directory, batches: MovingSquareSource(seed: 2), progress: silent())
        #expect(resumed.iteration == 2)
    }

    /// Out-of-range data is rejected before the step, naming the batch and the value.
    @Test func outOfRangeDataIsRejected() throws {
        let source = MovingSquareSource(seed: 2) { number, batch in
            number == 2 ? Tensor(repeating: 255, shape: batch.shape) : batch
        }
        let trainer = try Trainer(configuration: tinyTraining(iterations: 3), batches: source, progress: silent())
        let message = errorMessage { try trainer.run() }
        #expect(message.contains("training batch of iteration 2") && message.contains("255.0")
                    && message.contains("divided by 255"), "\(message)")
    }

    /// Finite but huge data (let through the range check) overflows the loss: training stops
    /// naming the iteration and the last good checkpoint, which stays as it was.
    @Test func nonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        var configuration = tinyTraining(iterations: 6)
        configuration.checkpointInterval = 2
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = MovingSquareSource(seed: 2) { number, batch in
            guard number == 3 else { return batch }
            return Tensor(repeating: 3e38, shape: batch.shape)
        }
        let trainer = try Trainer(configuration: configuration, batches: source,
                                  checkpointDirectory: directory, progress: silent())
        trainer.checksValueRange = false
        var caught: Error?
        do { try trainer.run() } catch { caught = error }
        guard case .nonFiniteLoss(let iteration, let loss, let checkpoint)? = caught as? TrainingError else {
            Issue.record("expected a non-finite loss, got \(String(describing: caught))")
            return
        }
        #expect(iteration == 3 && !loss.isFinite)
        #expect(checkpoint?.hasSuffix("checkpoint-2.json") == true)
        let message = "\(caught!)"
        #expect(message.contains("iteration 3") && message.contains("checkpoint-2.json"), "\(message)")
        let kept = try CheckpointStore(directory: directory).loadNewest()
        #expect(kept.state.iteration == 2)
        #expect(kept.tensors.values.allSatisfy { $0.scalars.allSatisfy(\.isFinite) })
    }

    @Test func checkpointWithNaNParametersIsNeverWritten() throws {
        var configuration = tinyTraining(iterations: 4)
        configuration.checkpointInterval = 2
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trainer = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 2),
                                  checkpointDirectory: directory, progress: silent())
        try trainer.run(until: 2)
        try trainer.run(until: 3)
        let (name, parameter) = trainer.model.namedParameters[1]
        var poisoned = parameter.value
        poisoned.withUnsafeMutableBufferPointer { $0[0] = .infinity }
        parameter.assign(poisoned)
        let message = errorMessage { try trainer.saveCheckpoint() }
        #expect(message.contains("iteration 3") && message.contains(name)
                    && message.contains("checkpoint-2.json"), "\(message)")
        #expect(try files(in: directory) == ["checkpoint-2.json", "checkpoint-2.safetensors"])
    }

    @Test func unusableCheckpointsGiveClearErrors() throws {
        var configuration = tinyTraining(iterations: 2)
        configuration.checkpointInterval = 2
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 2),
                    checkpointDirectory: directory, progress: silent()).run()
        let tensorsURL = directory.appendingPathComponent("checkpoint-2.safetensors")
        let stateURL = directory.appendingPathComponent("checkpoint-2.json")
        let goodTensors = try Data(contentsOf: tensorsURL), goodState = try Data(contentsOf: stateURL)
        func resume(_ configuration: TrainingConfiguration? = nil, from url: URL = directory) -> String {
            errorMessage { _ = try Trainer.resume(from: url, configuration: configuration,
                                                  batches: MovingSquareSource(seed: 2), progress: silent()) }
        }

        // Missing and empty directories.
        let missing = directory.appendingPathComponent("nope")
        #expect(resume(from: missing).contains("nope: no such directory"))
        let empty = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(resume(from: empty).contains("holds no complete checkpoint"))

        // A truncated tensors file.
        try goodTensors.prefix(goodTensors.count - 10).write(to: tensorsURL)
        var message = resume()
        #expect(message.contains("checkpoint-2.safetensors") && message.contains("truncated"), "\(message)")

        // Same size but garbage inside.
        try Data(repeating: 0xFF, count: goodTensors.count).write(to: tensorsURL)
        message = resume()
        #expect(message.contains("checkpoint-2.safetensors") && message.contains("corrupt"), "\(message)")

        // A missing tensors file.
        try FileManager.default.removeItem(at: tensorsURL)
        message = resume()
        #expect(message.contains("checkpoint-2.safetensors") && message.contains("missing"), "\(message)")
        try goodTensors.write(to: tensorsURL)

        // A state file that is not JSON, or lacks a field.
        try Data("{\"iteration\": 2,".utf8).write(to: stateURL)
        message = resume()
        #expect(message.contains("checkpoint-2.json") && message.contains("not a valid checkpoint state"), "\(message)")
        var object = try JSONSerialization.jsonObject(with: goodState) as! [String: Any]
        object.removeValue(forKey: "trainerRandomState")
        try JSONSerialization.data(withJSONObject: object).write(to: stateURL)
        message = resume()
        #expect(message.contains("checkpoint-2.json") && message.contains("trainerRandomState"), "\(message)")
        object = try JSONSerialization.jsonObject(with: goodState) as! [String: Any]
        object["formatVersion"] = 99
        try JSONSerialization.data(withJSONObject: object).write(to: stateURL)
        #expect(resume().contains("format version 99"))
        try goodState.write(to: stateURL)

        // Another configuration: every differing field is listed; resumable ones are allowed.
        var other = configuration
        other.learningRate = 1e-4
        other.model.hiddenChannels = [8, 8]
        other.iterations = 50
        message = resume(other)
        #expect(message.contains("checkpoint-2.json") && message.contains("learningRate")
                    && message.contains("model.hiddenChannels") && !message.contains("iterations"), "\(message)")

        // Intact again: it resumes.
        #expect(try Trainer.resume(from: directory, batches: MovingSquareSource(seed: 2), progress: silent())
                    .iteration == 2)
    }
}
