import Engine
import Foundation
import Metrics
import Predictor
import Testing
@testable import Training

/// What long runs need: a learning-rate schedule, a time budget that stops at a checkpoint the
/// run resumes from exactly, and a validation record of MSE per frame against wall time.
@Suite struct LongRunTests {
    typealias Schedule = TrainingConfiguration.LearningRateSchedule

    @Test func warmupRisesLinearlyThenCosineFallsToTheFinalFraction() {
        let schedule = Schedule(warmupIterations: 10, decay: .cosine, finalFraction: 0.1)
        func rate(_ i: Int) -> Double { schedule.rate(atIteration: i, of: 110, peak: 2e-3) }
        #expect(abs(rate(1) - 2e-4) < 1e-12 && abs(rate(5) - 1e-3) < 1e-12 && abs(rate(10) - 2e-3) < 1e-12)
        // Halfway through the decay: the mean of the peak and the floor.
        #expect(abs(rate(60) - 1.1e-3) < 1e-12)
        #expect(abs(rate(110) - 2e-4) < 1e-12)
        #expect(rate(11) < 2e-3 && rate(11) > rate(12))
        let constant = Schedule.constant
        #expect(constant.rate(atIteration: 1, of: 5, peak: 3e-4) == 3e-4)
        #expect(Schedule(warmupIterations: 4).rate(atIteration: 100, of: 10, peak: 1) == 1)
    }

    /// Warm-up, stable, decay: the peak until the decay's start, then the cosine over what is left.
    @Test func decayCanStartLate() {
        let schedule = Schedule(warmupIterations: 10, decay: .cosine, finalFraction: 0.1, decayStartIteration: 60)
        func rate(_ i: Int) -> Double { schedule.rate(atIteration: i, of: 110, peak: 2e-3) }
        #expect(abs(rate(5) - 1e-3) < 1e-12)
        #expect(rate(10) == 2e-3 && rate(40) == 2e-3 && rate(60) == 2e-3 && rate(61) < 2e-3)
        // Halfway through the decay (iteration 85): the mean of the peak and the floor.
        #expect(abs(rate(85) - 1.1e-3) < 1e-12)
        #expect(abs(rate(110) - 2e-4) < 1e-12)
        // A start inside the warm-up is the plain cosine.
        let early = Schedule(warmupIterations: 10, decay: .cosine, finalFraction: 0.1, decayStartIteration: 3)
        let plain = Schedule(warmupIterations: 10, decay: .cosine, finalFraction: 0.1)
        for i in [1, 5, 11, 60, 110] { #expect(early.rate(atIteration: i, of: 110, peak: 1) == plain.rate(atIteration: i, of: 110, peak: 1)) }
    }

    @Test func invalidSchedulesNameTheField() {
        var configuration = tinyTraining(iterations: 4)
        configuration.learningRateSchedule.finalFraction = 1.5
        #expect { try configuration.validate() } throws: { "\($0)".contains("finalFraction") }
        configuration.learningRateSchedule = Schedule(warmupIterations: -1)
        #expect { try configuration.validate() } throws: { "\($0)".contains("warmupIterations") }
        configuration.learningRateSchedule = Schedule(decay: .constant, decayStartIteration: 2)
        #expect { try configuration.validate() } throws: { "\($0)".contains("decayStartIteration") && "\($0)".contains("cosine") }
        configuration.learningRateSchedule = Schedule(decay: .cosine, decayStartIteration: 4)
        #expect { try configuration.validate() } throws: { "\($0)".contains("decayStartIteration") && "\($0)".contains("0..<4") }
    }

    /// Configurations saved before the schedule existed decode as a constant rate.
    @Test func configurationsWithoutAScheduleDecodeAsConstant() throws {
        let configuration = tinyTraining(iterations: 4)
        var object = try #require(try JSONSerialization.jsonObject(
            with: JSONEncoder().encode(configuration)) as? [String: Any])
        #expect(object["learningRateSchedule"] != nil)
        object["learningRateSchedule"] = nil
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self,
                                               from: JSONSerialization.data(withJSONObject: object))
        #expect(decoded == configuration && decoded.learningRateSchedule == .constant)
    }

    @Test func trainerStepsWithTheScheduledRate() throws {
        var configuration = tinyTraining(iterations: 3)
        configuration.learningRateSchedule = Schedule(warmupIterations: 4)
        var rates: [Double] = []
        let trainer = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5), progress: silent())
        try trainer.run { rates.append($0.optimizer.learningRate) }
        #expect(rates == [0.25, 0.5, 0.75].map { $0 * configuration.learningRate })
    }

    /// A deadline already passed stops the run after one iteration, at a checkpoint, and so does
    /// a stop request (Ctrl-C through `StopRequest`); resuming (twice, the second time with
    /// neither) ends bit-identical to a run never stopped.
    @Test func timeBudgetAndStopRequestStopAtCheckpointsThatResumeExactly() throws {
        var configuration = tinyTraining(iterations: 5)
        configuration.learningRateSchedule = Schedule(warmupIterations: 2, decay: .cosine)
        configuration.checkpointInterval = 100
        let straight = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5), progress: silent())
        try straight.run()

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5),
                                checkpointDirectory: directory, progress: silent())
        try first.run(deadline: Date.distantPast)
        #expect(first.iteration == 1 && first.lastCheckpoint?.lastPathComponent == "checkpoint-1.json")
        let second = try Trainer.resume(from: directory, batches: MovingSquareSource(seed: 5), progress: silent())
        try second.run(stopRequested: { true })
        #expect(second.iteration == 2 && second.lastCheckpoint?.lastPathComponent == "checkpoint-2.json")
        let last = try Trainer.resume(from: directory, batches: MovingSquareSource(seed: 5), progress: silent())
        try last.run(stopRequested: { false })
        #expect(last.iteration == 5 && last.history == straight.history)
        for ((name, a), (_, b)) in zip(straight.model.namedParameters, last.model.namedParameters) {
            #expect(bitsEqual(a.value, b.value), "parameter \(name) differs after two stops")
        }
        // The wall time adds up over the three sessions.
        let seconds = try #require(last.history.trainingSeconds)
        #expect(seconds > 0 && seconds >= (first.history.trainingSeconds ?? .infinity))
    }

    /// A run at a constant rate, resumed with a cosine decay that starts where it stopped, ends
    /// bit-identical to a run planned that way from the start (the cool-down keeps Adam's state).
    @Test func constantRunCooledDownOnResumeMatchesARunPlannedSo() throws {
        var planned = tinyTraining(iterations: 5)
        planned.learningRateSchedule = Schedule(warmupIterations: 1, decay: .cosine, finalFraction: 0.1, decayStartIteration: 3)
        planned.checkpointInterval = 100
        let straight = try Trainer(configuration: planned, batches: MovingSquareSource(seed: 5), progress: silent())
        try straight.run()

        var constant = planned
        constant.learningRateSchedule = Schedule(warmupIterations: 1)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Trainer(configuration: constant, batches: MovingSquareSource(seed: 5),
                                checkpointDirectory: directory, progress: silent())
        try first.run(until: 3)
        try first.saveCheckpoint()
        let cooled = try Trainer.resume(from: directory, configuration: planned, batches: MovingSquareSource(seed: 5),
                                        progress: silent())
        try cooled.run()
        #expect(cooled.iteration == 5)
        for ((name, a), (_, b)) in zip(straight.model.namedParameters, cooled.model.namedParameters) {
            #expect(bitsEqual(a.value, b.value), "parameter \(name) differs after the cool-down")
        }
        // The plan cannot change what an iteration computes otherwise: the peak rate is fixed.
        var otherPeak = planned
        otherPeak.learningRate *= 2
        #expect { try Trainer.resume(from: directory, configuration: otherPeak, batches: MovingSquareSource(seed: 5),
                                     progress: silent()) } throws: { "\($0)".contains("learningRate") }
    }

    /// Each validation point holds SPEC §9's MSE per predicted frame (the prediction clipped to
    /// [0, 1], summed over the frame's pixels, averaged over sequences) and the time so far.
    @Test func validationRecordsMSEPerFrameAndTime() throws {
        var configuration = tinyTraining(iterations: 2)
        configuration.validationInterval = 2
        var source = MovingSquareSource(seed: 9, batchSize: 3)
        let validation = [try source.nextBatch(), try source.nextBatch()]
        let trainer = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5),
                                  validation: validation, progress: silent())
        try trainer.run()
        let point = try #require(trainer.history.validation.first)
        let mse = try #require(point.msePerFrame)
        #expect(point.iteration == 2 && mse.count == 2 && (point.seconds ?? 0) > 0)

        var expected = [Double](repeating: 0, count: 2)
        for batch in validation {
            let (truth, prediction) = Evaluator.predict(trainer.model, batch: batch, configuration: configuration.model)
            for s in 0..<3 {
                for f in 0..<2 {
                    for y in 0..<8 {
                        for x in 0..<8 {
                            let d = Double(truth[s, f, y, x, 0]) - Double(min(1, max(0, prediction[s, f, y, x, 0])))
                            expected[f] += d * d / 6
                        }
                    }
                }
            }
        }
        for f in 0..<2 { #expect(abs(Double(mse[f]) - expected[f]) <= 1e-5 * max(1, expected[f])) }
        #expect(abs(Double(point.meanMSE!) - (expected[0] + expected[1]) / 2) <= 1e-5 * max(1, expected[0]))
    }
}
