import Engine
import Foundation
import Predictor
import Testing
@testable import Training

/// PredRNN-v2's reverse scheduled sampling: the official schedule, the mask it asks for, and a
/// run that uses it resuming exactly.
@Suite struct ReverseScheduledSamplingTests {
    @Test func probabilitiesFollowTheOfficialSchedule() {
        let schedule = ReverseScheduledSampling()   // 25 000, 50 000, 5 000
        for iteration in [1, 10_000, 24_999] {
            #expect(schedule.encoderProbability(atIteration: iteration) == 0.5)
            #expect(schedule.forecastProbability(atIteration: iteration) == 0.5)
        }
        #expect(schedule.encoderProbability(atIteration: 25_000) == 0.5)
        #expect(abs(schedule.encoderProbability(atIteration: 30_000) - (1 - 0.5 / M_E)) < 1e-12)
        #expect(abs(schedule.forecastProbability(atIteration: 37_500) - 0.25) < 1e-12)
        #expect(abs(schedule.forecastProbability(atIteration: 49_999) - 0.5 / 25_000) < 1e-12)
        for iteration in [50_000, 80_000] {
            #expect(schedule.encoderProbability(atIteration: iteration) == 1)
            #expect(schedule.forecastProbability(atIteration: iteration) == 0)
        }
        // r_eta rises and η falls, monotonically.
        let r = stride(from: 1, through: 60_000, by: 991).map(schedule.encoderProbability)
        let eta = stride(from: 1, through: 60_000, by: 991).map(schedule.forecastProbability)
        #expect(zip(r, r.dropFirst()).allSatisfy { $0 <= $1 } && zip(eta, eta.dropFirst()).allSatisfy { $0 >= $1 })
    }

    @Test func theMaskCoversTheInputWindowFromInputOne() {
        var model = tinyModel()
        (model.inputLength, model.totalLength) = (10, 20)
        var configuration = TrainingConfiguration(model: model, samplingDelta: 0.1, samplingStopIteration: 8)
        let ordinary = configuration.samplingSchedule(atIteration: 5)
        #expect(ordinary.firstMaskedInput == 10)
        #expect(ordinary.probabilities.count == 9 && ordinary.probabilities.allSatisfy { abs($0 - 0.5) < 1e-12 })

        configuration.reverseSampling = ReverseScheduledSampling(startIteration: 100, endIteration: 300, decayLength: 50)
        let reverse = configuration.samplingSchedule(atIteration: 150)
        #expect(reverse.firstMaskedInput == 1)
        #expect(reverse.probabilities.count == 18)   // inputs 1 … 18 of 0 … 19
        #expect(reverse.probabilities.prefix(9).allSatisfy { abs($0 - (1 - 0.5 / M_E)) < 1e-12 })
        #expect(reverse.probabilities.suffix(9).allSatisfy { abs($0 - 0.375) < 1e-12 })
        // η shown in progress and checkpoints is the reverse schedule's.
        #expect(abs(configuration.samplingProbability(atIteration: 150) - 0.375) < 1e-12)
    }

    @Test func invalidSchedulesNameTheirField() {
        var configuration = tinyTraining(iterations: 10)
        for (schedule, field) in [(ReverseScheduledSampling(startIteration: -1), "reverseSampling.startIteration"),
                                  (ReverseScheduledSampling(startIteration: 10, endIteration: 10), "reverseSampling.endIteration"),
                                  (ReverseScheduledSampling(decayLength: 0), "reverseSampling.decayLength"),
                                  (ReverseScheduledSampling(decayLength: .nan), "reverseSampling.decayLength")] {
            configuration.reverseSampling = schedule
            do {
                try configuration.validate()
                Issue.record("\(schedule) was accepted")
            } catch let error as ModelConfigurationError {
                #expect(error.field == field, "\(error)")
            } catch { Issue.record("unexpected \(error)") }
        }
    }

    @Test func savedConfigurationsRoundTripAndOlderOnesHaveItOff() throws {
        var configuration = tinyTraining(iterations: 10)
        let older = try JSONEncoder().encode(configuration)
        #expect(!String(decoding: older, as: UTF8.self).contains("reverseSampling"))
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: older).reverseSampling == nil)
        configuration.reverseSampling = ReverseScheduledSampling(startIteration: 3, endIteration: 7, decayLength: 2)
        let saved = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: saved) == configuration)
    }

    /// 6 iterations straight against 3, a resume, and 3 more, with the schedule changing within
    /// the run: parameters and history bit-identical; and the masks differ from an ordinary run's.
    @Test func aRunWithItResumesExactly() throws {
        var configuration = tinyTraining(iterations: 6)
        configuration.reverseSampling = ReverseScheduledSampling(startIteration: 2, endIteration: 5, decayLength: 1)
        configuration.checkpointInterval = 3
        let straight = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5),
                                   progress: silent())
        try straight.run()

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5),
                                checkpointDirectory: directory, progress: silent())
        try first.run(until: 3)
        let resumed = try Trainer.resume(from: directory, batches: MovingSquareSource(seed: 5), progress: silent())
        #expect(resumed.configuration.reverseSampling == configuration.reverseSampling)
        try resumed.run()
        #expect(resumed.history == straight.history)
        for ((name, a), (_, b)) in zip(straight.model.namedParameters, resumed.model.namedParameters) {
            #expect(bitsEqual(a.value, b.value), "parameter \(name) differs after resume")
        }

        var ordinaryConfiguration = configuration
        ordinaryConfiguration.reverseSampling = nil
        let ordinary = try Trainer(configuration: ordinaryConfiguration, batches: MovingSquareSource(seed: 5),
                                   progress: silent())
        try ordinary.run()
        #expect(ordinary.history.training != straight.history.training)
    }
}
