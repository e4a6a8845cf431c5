import DataSources
import Engine
import Experiments
import Foundation
import Imaging
import Metrics
import Predictor
import Testing
import Training

/// A whole run — data folder → training → checkpoints → evaluation → report — on tiny sizes.
@Suite(.serialized) struct ExperimentRunnerTests {
    /// A new path in the temporary folder (nothing made there yet), removed by `removeAll`.
    static func temporaryPath(_ label: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-\(label)-\(UUID().uuidString)")
    }

    static func removeAll(_ urls: [URL]) {
        for url in urls { try? FileManager.default.removeItem(at: url) }
    }

    /// A folder of 40 gray 16×16 frames of a square moving one pixel per frame.
    static func movingSquareFolder() throws -> URL {
        let folder = temporaryPath("exp")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for t in 0..<40 {
            var image = Image(width: 16, height: 16, channels: 1, fill: .black)
            image.fillRect(x: t % 12, y: (2 * t) % 12, width: 4, height: 4, color: .white)
            try PNG.write(image, to: folder.appendingPathComponent("f\(t).png"))
        }
        return folder
    }

    static func experiment(data: URL, iterations: Int) -> Experiment {
        let model = ModelConfiguration(backbone: .predrnn, motion: .full, imageHeight: 16, imageWidth: 16,
                                       imageChannels: 1, patchSize: 2, hiddenChannels: [8, 8], filterSize: 3,
                                       inputLength: 3, totalLength: 6)
        var training = TrainingConfiguration(model: model, learningRate: 3e-3, batchSize: 2,
                                             iterations: iterations, reverseInput: true,
                                             validationInterval: 2, checkpointInterval: 2, keepCheckpoints: 2,
                                             seed: 4)
        training.samplingStopIteration = 4
        training.samplingDelta = 0.25
        return Experiment(data: .frames(path: data.path), training: training, trainCount: 0, testCount: 4,
                          validationCount: 2, reportExamples: 1)
    }

    @Test func trainsEvaluatesAndReports() throws {
        let data = try Self.movingSquareFolder()
        let run = Self.temporaryPath("run")
        defer { Self.removeAll([data, run]) }
        let outcome = try ExperimentRunner.train(Self.experiment(data: data, iterations: 4), in: run, resume: false,
                                                 progress: ProgressReporter(style: .silent))
        #expect(outcome.iterations == 4)
        // 40 frames: the last 8 are the test set, one 6-frame window.
        let metrics = try #require(outcome.metrics)
        #expect(metrics.sequenceCount == 1 && metrics.mse.perFrame.count == 3)
        for name in ["experiment.json", "metrics.json", "metrics.md", "report/index.html", "report/loss.png",
                     "report/example1.png", "report/motion.png", "checkpoints/checkpoint-4.json"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(name).path), "\(name)")
        }
        // After the first sequence, the best by MSE (of one: the same sequence, said so).
        let page = try String(contentsOf: run.appendingPathComponent("report/index.html"), encoding: .utf8)
        #expect(page.contains("the best sequence by MSE (sequence 1 of the 1 scored, MSE "))
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("report/example2.png").path))
        // The run restores as a trained model and scores the same.
        let trained = try TrainedModel(run: run)
        #expect(trained.iteration == 4)
        // Starting again in the same folder without --resume would lose nothing silently.
        #expect(throws: ExperimentError.self) {
            try ExperimentRunner.train(Self.experiment(data: data, iterations: 4), in: run, resume: false,
                                       progress: ProgressReporter(style: .silent))
        }
    }

    /// Every MotionGRU's trend reaches the report: a 3-layer model has two, each at every step.
    @Test func evaluationKeepsTheTrendOfEveryMotionGRU() throws {
        let data = try Self.movingSquareFolder()
        defer { Self.removeAll([data]) }
        var experiment = Self.experiment(data: data, iterations: 1)
        experiment.training.model.hiddenChannels = [8, 8, 8]
        let model = try ModelFactory.make(experiment.model, seed: 2)
        let testSet = try experiment.data.datasets(experiment.dataOptions).test
        let result = try Evaluation.run(model, on: testSet, count: 1, batchSize: 1, configuration: experiment.model,
                                        exampleCount: 1, options: MetricsOptions())
        let motion = try #require(result.motion)
        let steps = experiment.model.totalLength - 1
        #expect(motion.trends.map(\.count) == [steps, steps])
        #expect(motion.trends[1].last!.scalars != motion.trends[0].last!.scalars)
    }

    @Test func resumedRunEndsWhereTheStraightRunEnds() throws {
        let data = try Self.movingSquareFolder()
        let straight = Self.temporaryPath("a")
        let resumed = Self.temporaryPath("b")
        defer { Self.removeAll([data, straight, resumed]) }
        let quiet = ProgressReporter(style: .silent)
        let a = try ExperimentRunner.train(Self.experiment(data: data, iterations: 4), in: straight, resume: false, progress: quiet)
        _ = try ExperimentRunner.train(Self.experiment(data: data, iterations: 2), in: resumed, resume: false, progress: quiet)
        let b = try ExperimentRunner.train(Self.experiment(data: data, iterations: 4), in: resumed, resume: true, progress: quiet)
        #expect(try #require(a.metrics).mse.perFrame == #require(b.metrics).mse.perFrame)
        let pa = try TrainedModel(run: straight).model.stateDictionary()
        let pb = try TrainedModel(run: resumed).model.stateDictionary()
        #expect(pa.keys.sorted() == pb.keys.sorted())
        #expect(pa.allSatisfy { $0.value.scalars == pb[$0.key]!.scalars })
    }

    /// A branch takes the plan its checkpoint recorded (not the source run's later re-plan) and,
    /// continued with the source's plan, ends where the source run ends; the source is untouched.
    @Test func branchAtACheckpointEndsWhereTheSourceRunEnds() throws {
        let data = try Self.movingSquareFolder()
        let source = Self.temporaryPath("src")
        let branch = Self.temporaryPath("br")
        defer { Self.removeAll([data, source, branch]) }
        let quiet = ProgressReporter(style: .silent)
        // Planned for 2, then re-planned on resume to 4: checkpoint-2 recorded the plan of 2.
        _ = try ExperimentRunner.train(Self.experiment(data: data, iterations: 2), in: source, resume: false, progress: quiet)
        let straight = try ExperimentRunner.train(Self.experiment(data: data, iterations: 4), in: source, resume: true, progress: quiet)
        let sourceParameters = try TrainedModel(run: source).model.stateDictionary()

        let checkpoint = source.appendingPathComponent("checkpoints/checkpoint-2.json")
        var branched = try ExperimentRunner.branch(from: checkpoint, into: branch)
        #expect(branched.training.iterations == 2)
        #expect(branched.history.count == 1 && branched.history[0].contains("branched from \(checkpoint.path) (iteration 2)"))
        #expect(try TrainedModel.savedExperiment(in: branch) == branched)
        #expect(try CheckpointStore(directory: ExperimentRunner.checkpointDirectory(in: branch)).completeIterations() == [2])

        branched.training.iterations = 4
        let continued = try ExperimentRunner.train(branched, in: branch, resume: true, progress: quiet)
        #expect(try #require(continued.metrics).mse.perFrame == #require(straight.metrics).mse.perFrame)
        let branchParameters = try TrainedModel(run: branch).model.stateDictionary()
        #expect(branchParameters.keys.sorted() == sourceParameters.keys.sorted())
        #expect(branchParameters.allSatisfy { $0.value.scalars == sourceParameters[$0.key]!.scalars })
        #expect(try TrainedModel(run: source).iteration == 4)

        // A run folder stands for its newest checkpoint; a branch never overwrites checkpoints.
        #expect(throws: ExperimentError.self) { try ExperimentRunner.branch(from: source, into: branch) }
    }

    @Test func branchRefusesWhatIsNotACheckpointAndWritesNothingWhenTheChangesFail() throws {
        let data = try Self.movingSquareFolder()
        let source = Self.temporaryPath("src")
        let branch = Self.temporaryPath("br")
        defer { Self.removeAll([data, source, branch]) }
        _ = try ExperimentRunner.train(Self.experiment(data: data, iterations: 2), in: source, resume: false,
                                       progress: ProgressReporter(style: .silent))
        for bad in [source.appendingPathComponent("experiment.json"), source.appendingPathComponent("checkpoints/checkpoint-7.json"),
                    data] {
            let error = try #require(throws: ExperimentError.self) { try ExperimentRunner.branch(from: bad, into: branch) }
            #expect(error.message.contains(bad.path), "\(error)")
        }
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try ExperimentRunner.branch(from: source, into: branch) { _ in throw Refused() }
        }
        // The model stays, but for the motion bound (which holds no parameters).
        let changedModel = try #require(throws: ExperimentError.self) {
            try ExperimentRunner.branch(from: source, into: branch) { $0.training.model.motion.alpha = 0.25 }
        }
        #expect(changedModel.message.contains("keeps its model"), "\(changedModel)")
        #expect(!FileManager.default.fileExists(atPath: branch.path))
    }
}
