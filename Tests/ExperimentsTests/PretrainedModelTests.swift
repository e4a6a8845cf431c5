import DataSources
import Datasets
import Engine
import Experiments
import Foundation
import Imaging
import Metrics
import Predictor
import Testing
import Training

/// Shipping a trained model as one file and using it: export, load by file or name, predict the
/// same as the run, fine-tune from it, compare models side by side; and a time budget that stops
/// a run without evaluating it.
@Suite(.serialized) struct PretrainedModelTests {
    let quiet = ProgressReporter(style: .silent)

    func trainedRun(iterations: Int = 2) throws -> (data: URL, run: URL) {
        let data = try ExperimentRunnerTests.movingSquareFolder()
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-pre-\(UUID().uuidString)")
        try ExperimentRunner.train(ExperimentRunnerTests.experiment(data: data, iterations: iterations), in: run,
                                   resume: false, progress: quiet)
        return (data, run)
    }

    @Test func exportedModelPredictsExactlyAsTheRun() throws {
        let (data, run) = try trainedRun()
        let models = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-models-\(UUID().uuidString)")
        defer { for url in [data, run, models] { try? FileManager.default.removeItem(at: url) } }
        let file = models.appendingPathComponent("square.safetensors")   // export makes the folder
        try PretrainedModel.export(run: run, to: file)

        // Parameters only, under the model's names; the metadata describes the experiment.
        let stored = try SafetensorsFile.read(from: file)
        let fromRun = try TrainedModel(run: run)
        #expect(Set(stored.tensors.keys) == Set(fromRun.model.namedParameters.map(\.name)))
        let pretrained = try TrainedModel(pretrained: file.path)
        #expect(pretrained.experiment == fromRun.experiment && pretrained.iteration == 2)
        #expect(pretrained.history.validation == fromRun.history.validation)
        let statistics = try #require(pretrained.trainingFrames)
        #expect(statistics.frameShape == [16, 16, 1] && statistics.darkFraction > 0.5)

        let batch = try BatchSampler.batch(of: try fromRun.experiment.data.datasets(fromRun.experiment.dataOptions).test,
                                           indices: [0])
        let a = Evaluator.predict(fromRun.model, batch: batch, configuration: fromRun.experiment.model).prediction
        let b = Evaluator.predict(pretrained.model, batch: batch, configuration: pretrained.experiment.model).prediction
        #expect(a.scalars == b.scalars)

        // By name from a models folder; an unknown name lists what there is.
        #expect(try PretrainedModel.locate("square", searchDirectories: [models]) == file)
        #expect { try PretrainedModel.locate("nothing", searchDirectories: [models]) } throws: {
            "\($0)".contains("'nothing'") && "\($0)".contains("available: square")
        }
        // A safetensors file that is not one of ours says so.
        let foreign = models.appendingPathComponent("foreign.safetensors")
        try SafetensorsFile.write(["w": Tensor(zeros: [2])], to: foreign)
        #expect { try TrainedModel(pretrained: foreign.path) } throws: { "\($0)".contains("not a pretrained model") }
    }

    /// Asked for more frames than it was trained to predict, the model goes on from its own
    /// predictions; the frames it would have predicted anyway do not change.
    @Test func predictionBeyondTheTrainedHorizonKeepsItsStart() throws {
        let (data, run) = try trainedRun()
        defer { for url in [data, run] { try? FileManager.default.removeItem(at: url) } }
        let trained = try TrainedModel(run: run)
        let m = trained.experiment.model
        let batch = try BatchSampler.batch(of: try trained.experiment.data.datasets(trained.experiment.dataOptions).test,
                                           indices: [0])
        let context = Array(Image.frames(sequence: batch.reshaped(Array(batch.shape.dropFirst()))).prefix(m.inputLength))
        let usual = try trained.predict(following: context)
        let longer = try trained.predict(following: context, count: 3 * usual.count + 1)
        #expect(usual.count == m.totalLength - m.inputLength && longer.count == 3 * usual.count + 1)
        #expect(Array(longer.prefix(usual.count)) == usual)
        #expect(try trained.predict(following: context, count: 1) == [usual[0]])
        #expect(throws: ExperimentError.self) { try trained.predict(following: context, count: 0) }
    }

    /// Weight averaging: the exported parameters are the mean of the last checkpoints', and the
    /// file and its card say which checkpoints they came from.
    @Test func averagedExportIsTheMeanOfTheLastCheckpoints() throws {
        let (data, run) = try trainedRun(iterations: 3)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-avg-\(UUID().uuidString).safetensors")
        defer { for url in [data, run, file] { try? FileManager.default.removeItem(at: url) } }
        let store = CheckpointStore(directory: ExperimentRunner.checkpointDirectory(in: run))
        let iterations = try store.completeIterations()
        try #require(iterations.count >= 2, "the run keeps \(iterations)")
        let (older, newer) = (iterations[iterations.count - 2], iterations[iterations.count - 1])
        let a = try TrainedModel(run: run, checkpoint: store.stateURL(iteration: older))
        let b = try TrainedModel(run: run)
        try PretrainedModel.export(run: run, averaging: 2, to: file)
        let averaged = try TrainedModel(pretrained: file.path)
        #expect(averaged.averagedIterations == [older, newer] && averaged.iteration == newer)
        var moved = false
        for ((name, x), ((_, y), (_, mean))) in zip(a.model.namedParameters,
                                                    zip(b.model.namedParameters, averaged.model.namedParameters)) {
            let (xs, ys, ms) = (x.value.scalars, y.value.scalars, mean.value.scalars)
            moved = moved || xs != ys
            for i in xs.indices {
                let expected = (Double(xs[i]) + Double(ys[i])) / 2
                #expect(abs(Double(ms[i]) - expected) <= 1e-7 * max(1, abs(expected)), "\(name)[\(i)]")
            }
        }
        #expect(moved, "the two checkpoints should differ")
        let testSet = try averaged.experiment.data.datasets(averaged.experiment.dataOptions).test
        let metrics = try Evaluation.run(averaged.model, on: testSet, count: 2, batchSize: 2,
                                         configuration: averaged.experiment.model, exampleCount: 0,
                                         options: MetricsOptions()).metrics
        let card = ModelCard(name: "square", trained: averaged, fileBytes: 4096, metrics: metrics, baselines: [],
                             reproduce: "", machine: "test machine").markdown
        #expect(card.contains("the mean of the 2 checkpoints of iterations \(older) and \(newer) (`export --average-last 2`)"))
        #expect { try TrainedModel(run: run, averaging: iterations.count + 1) } throws: {
            "\($0)".contains("fewer than the \(iterations.count + 1) to average")
        }
    }

    /// The checkpoint a run writes when it stops early (here --stop-at 3, every 2 on the
    /// schedule) is not averaged: which checkpoints the mean takes does not depend on when
    /// sessions ended.
    @Test func averagingSkipsTheCheckpointsOfEarlyStops() throws {
        let data = try ExperimentRunnerTests.movingSquareFolder()
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-avg-stop-\(UUID().uuidString)")
        defer { for url in [data, run] { try? FileManager.default.removeItem(at: url) } }
        var experiment = ExperimentRunnerTests.experiment(data: data, iterations: 6)
        experiment.training.keepCheckpoints = 10
        try ExperimentRunner.train(experiment, in: run, resume: false, stopAt: 3, progress: quiet)
        try ExperimentRunner.train(experiment, in: run, resume: true, progress: quiet)
        let store = CheckpointStore(directory: ExperimentRunner.checkpointDirectory(in: run))
        #expect(try store.completeIterations() == [2, 3, 4, 6])
        #expect(try TrainedModel(run: run, averaging: 3).averagedIterations == [2, 4, 6])
        // A stop checkpoint chosen itself is averaged with the scheduled ones before it.
        #expect(try TrainedModel(run: run, checkpoint: store.stateURL(iteration: 3), averaging: 2).averagedIterations == [2, 3])
        #expect { try TrainedModel(run: run, averaging: 4) } throws: {
            "\($0)".contains("holds 3 complete checkpoints on its schedule (every 2 iterations) up to iteration 6, fewer than the 4 to average")
        }
    }

    /// With checkpoints only at the end, a resumed run stopped by --stop-at still keeps what it
    /// trained (it once kept only the checkpoint it had resumed from).
    @Test func stopAtKeepsTheWorkOfAResumedRunWithoutACheckpointSchedule() throws {
        let data = try ExperimentRunnerTests.movingSquareFolder()
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-stop0-\(UUID().uuidString)")
        defer { for url in [data, run] { try? FileManager.default.removeItem(at: url) } }
        var experiment = ExperimentRunnerTests.experiment(data: data, iterations: 6)
        experiment.training.checkpointInterval = 0
        try ExperimentRunner.train(experiment, in: run, resume: false, stopAt: 2, progress: quiet)
        let stopped = try ExperimentRunner.train(experiment, in: run, resume: true, stopAt: 4, progress: quiet)
        #expect(stopped.iterations == 4 && !stopped.finished)
        let store = CheckpointStore(directory: ExperimentRunner.checkpointDirectory(in: run))
        #expect(try store.completeIterations().last == 4)
    }

    /// `train --init-from`: a fresh run starts from the given parameters, not a random draw.
    @Test func fineTuningStartsFromTheGivenParameters() throws {
        let (data, run) = try trainedRun()
        let tuned = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-tuned-\(UUID().uuidString)")
        defer { for url in [data, run, tuned] { try? FileManager.default.removeItem(at: url) } }
        let initial = try TrainedModel(run: run)
        var experiment = ExperimentRunnerTests.experiment(data: data, iterations: 1)
        experiment.training.learningRate = 1e-12  // one step that barely moves anything
        experiment.training.seed = 99
        experiment.initFrom = run.path
        try ExperimentRunner.train(experiment, in: tuned, resume: false,
                                   initialModel: initial, progress: quiet)
        let after = try TrainedModel(run: tuned).model.stateDictionary()
        for (name, value) in initial.model.stateDictionary() {
            let moved = zip(value.scalars, after[name]!.scalars).map { abs($0 - $1) }.max() ?? 0
            #expect(moved < 1e-6, "\(name) moved by \(moved)")
        }
        #expect(try TrainedModel.savedExperiment(in: tuned).initFrom == run.path)
    }

    /// A chain of fine-tunings: each exported file records the runs before it, followed through
    /// run folders or read from the starting file, and its card sums them; a chain whose start
    /// can no longer be read is not summed.
    @Test func fineTunedExportsRecordTheRunsBeforeThem() throws {
        let (data, first) = try trainedRun()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-chain-\(UUID().uuidString)")
        defer { for url in [data, first, folder] { try? FileManager.default.removeItem(at: url) } }
        func tune(from start: String, iterations: Int, into name: String) throws -> URL {
            var experiment = ExperimentRunnerTests.experiment(data: data, iterations: iterations)
            experiment.initFrom = start
            let run = folder.appendingPathComponent(name)
            try ExperimentRunner.train(experiment, in: run, resume: false,
                                       initialModel: try TrainedModel(runOrPretrained: start),
                                       progress: quiet)
            return run
        }
        let firstSeconds = try TrainedModel(run: first).history.trainingSeconds
        let second = folder.appendingPathComponent("second.safetensors")
        try PretrainedModel.export(run: try tune(from: first.path, iterations: 3, into: "second"), to: second)
        let secondModel = try TrainedModel(pretrained: second.path)
        #expect(secondModel.earlierStages == [.init(model: first.path, iterations: 2, trainingSeconds: firstSeconds)])

        let third = folder.appendingPathComponent("third.safetensors")
        try PretrainedModel.export(run: try tune(from: second.path, iterations: 1, into: "third"), to: third)
        try FileManager.default.removeItem(at: first)   // the record is in the second file
        let thirdModel = try TrainedModel(pretrained: third.path)
        #expect(thirdModel.earlierStages == secondModel.earlierStages! + [
            .init(model: second.path, iterations: 3, trainingSeconds: secondModel.history.trainingSeconds)])
        let testSet = try thirdModel.experiment.data.datasets(thirdModel.experiment.dataOptions).test
        let metrics = try Evaluation.run(thirdModel.model, on: testSet, count: 1, batchSize: 1,
                                         configuration: thirdModel.experiment.model, exampleCount: 0,
                                         options: MetricsOptions()).metrics
        let card = ModelCard(name: "third", trained: thirdModel, fileBytes: 4096, metrics: metrics, baselines: [],
                             reproduce: "", machine: "test machine").markdown
        let seconds = [firstSeconds, secondModel.history.trainingSeconds, thirdModel.history.trainingSeconds].map { $0! }
        #expect(card.contains("## Training stages"))
        #expect(card.contains("| 1 | a random initialisation | 2 | \(String(format: "%.2f", seconds[0] / 3600)) |"))
        #expect(card.contains("| 3 (this file) | `\(second.path)` | 1 |"))
        #expect(card.contains("| all | | 6 | \(String(format: "%.2f", seconds.reduce(0, +) / 3600)) |"))
        #expect(card.contains("\"Training stages\" below counts every run"))
        #expect(thirdModel.trainingDescription == "trained 6 iterations in 3 runs (this one 1)")

        // The first run is gone: a run tuned from it again has no record of what came before.
        let orphan = folder.appendingPathComponent("orphan.safetensors")
        try PretrainedModel.export(run: try tune(from: second.path, iterations: 1, into: "orphan"), to: orphan)
        try FileManager.default.removeItem(at: second)
        let lost = folder.appendingPathComponent("lost.safetensors")
        try PretrainedModel.export(run: try tune(from: orphan.path, iterations: 1, into: "lost"), to: lost)
        #expect(try TrainedModel(pretrained: lost.path).earlierStages?.count == 3, "the orphan's own record stands")
        var experiment = try TrainedModel.savedExperiment(in: folder.appendingPathComponent("lost"))
        experiment.initFrom = folder.appendingPathComponent("nowhere.safetensors").path
        try AtomicFile.write(try JSONEncoder().encode(experiment),
                             to: ExperimentRunner.experimentURL(in: folder.appendingPathComponent("lost")))
        try PretrainedModel.export(run: folder.appendingPathComponent("lost"), to: lost)
        let unknown = try TrainedModel(pretrained: lost.path)
        #expect(unknown.earlierStages == nil)
        #expect(unknown.trainingDescription == "trained 1 iterations from the parameters of \(experiment.initFrom!)")
        let unknownCard = ModelCard(name: "lost", trained: unknown, fileBytes: 4096, metrics: metrics, baselines: [],
                                    reproduce: "", machine: "test machine").markdown
        #expect(!unknownCard.contains("## Training stages") && unknownCard.contains("the command below trains every stage from scratch"))
    }

    @Test func timeBudgetStopsWithoutEvaluating() throws {
        let data = try ExperimentRunnerTests.movingSquareFolder()
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-budget-\(UUID().uuidString)")
        defer { for url in [data, run] { try? FileManager.default.removeItem(at: url) } }
        let experiment = ExperimentRunnerTests.experiment(data: data, iterations: 4)
        let stopped = try ExperimentRunner.train(experiment, in: run, resume: false, timeBudget: 1e-9, progress: quiet)
        #expect(stopped.iterations == 1 && !stopped.finished)
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("metrics.json").path))
        let finished = try ExperimentRunner.train(experiment, in: run, resume: true, progress: quiet)
        #expect(finished.iterations == 4 && finished.finished)
    }

    @Test func stopAtEndsAtACheckpointOfThatIterationAndResumeContinues() throws {
        let data = try ExperimentRunnerTests.movingSquareFolder()
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-stop-\(UUID().uuidString)")
        defer { for url in [data, run] { try? FileManager.default.removeItem(at: url) } }
        let experiment = ExperimentRunnerTests.experiment(data: data, iterations: 4)
        let stopped = try ExperimentRunner.train(experiment, in: run, resume: false, stopAt: 3, progress: quiet)
        #expect(stopped.iterations == 3 && !stopped.finished)
        let checkpoints = ExperimentRunner.checkpointDirectory(in: run)
        #expect(try CheckpointStore(directory: checkpoints).completeIterations().last == 3)
        // Already there: said, not silently ignored.
        #expect(throws: ExperimentError.self) {
            try ExperimentRunner.train(experiment, in: run, resume: true, stopAt: 2, progress: quiet)
        }
        let finished = try ExperimentRunner.train(experiment, in: run, resume: true, progress: quiet)
        #expect(finished.iterations == 4 && finished.finished)
    }

    @Test func comparisonScoresEveryModelOnTheSameSequences() throws {
        let (data, run) = try trainedRun()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-cmp-\(UUID().uuidString)")
        defer { for url in [data, run, output] { try? FileManager.default.removeItem(at: url) } }
        let trained = try TrainedModel(run: run)
        // The training windows: the test split of this clip is a single window.
        let testSet = try trained.experiment.data.datasets(trained.experiment.dataOptions).train
        let result = try Comparison.run([("a", trained), ("b", trained)], on: testSet, dataName: "squares", count: 4,
                                        batchSize: 2, exampleCount: 1, options: MetricsOptions(), in: output)
        #expect(result.names == ["a", "b", "copy last input frame", "all-black frames"])
        // The same model twice scores the same; the black floor is the mean energy of the truth.
        #expect(result.metrics[0] == result.metrics[1])
        #expect(result.metrics[3].mse.mean > 0 && result.metrics[3].mse.mean != result.metrics[2].mse.mean)
        for name in ["metrics.json", "report/index.html", "report/mse.png", "report/ssim.png", "report/sequence1.png",
                     "report/mse-per-sequence.png"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(name).path), "\(name)")
        }
        // After the first sequence, the first model's best, median and worst (of 4: distinct
        // unless they tie), each captioned with every model's MSE on it.
        let page = try String(contentsOf: output.appendingPathComponent("report/index.html"), encoding: .utf8)
        #expect(page.contains("sequence 1: input, truth"))
        for label in ["best", "median", "worst"] {
            #expect(page.contains("a's \(label) sequence by MSE (sequence "), "\(label)")
        }
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("report/sequence4.png").path))
        #expect(page.contains("(MSE, mean over the predicted frames: a "))
        // Sequence by sequence against the first model (the same model: never strictly lower).
        #expect(page.contains("a against b, paired over these 4 sequences: MSE per frame +0.00 (95 % interval +0.00 to +0.00, includes 0), +0.0 %; SSIM +0.0000 (95 % interval +0.0000 to +0.0000, includes 0); lower MSE on 0 of the 4 sequences"))
        #expect(result.pairedSummaries.count == 1, "models only: the baselines keep no per-sequence scores")
        // Two entries of one name are refused (it trapped once, building metrics.json).
        #expect { try Comparison.run([("a", trained), ("a", trained)], on: testSet, dataName: "squares", count: 4,
                                     batchSize: 2, exampleCount: 0, options: MetricsOptions(), in: output) }
            throws: { "\($0)".contains("'a' names two") }
    }

    /// Run folders keep the dots in their names; files lose `.safetensors`; names that would be
    /// the same become the locations as given.
    @Test func labelsAreDistinct() {
        #expect(TrainedModel.labels(for: ["runs/gdl-0.1", "runs/gdl-0.5", "models/x.safetensors", "vmnist-predrnn"])
                == ["gdl-0.1", "gdl-0.5", "x", "vmnist-predrnn"])
        #expect(TrainedModel.labels(for: ["a/run", "b/run", "c/other"]) == ["a/run", "b/run", "other"])
    }

    /// A sequence predicted again on its own scores as it did in the test set's batches, so the
    /// caption's MSE is the one the spread was chosen by.
    @Test func spreadExamplesScoreAsInTheFullEvaluation() throws {
        let (data, run) = try trainedRun()
        defer { for url in [data, run] { try? FileManager.default.removeItem(at: url) } }
        let trained = try TrainedModel(run: run)
        let testSet = try trained.experiment.data.datasets(trained.experiment.dataOptions).train
        let full = try Evaluation.run(trained.model, on: testSet, count: 4, batchSize: 2,
                                      configuration: trained.experiment.model, exampleCount: 0, options: MetricsOptions())
        #expect(full.sequenceMSE.count == 4)
        #expect(abs(full.sequenceMSE.reduce(0, +) / 4 - full.metrics.mse.mean) <= 1e-6 * full.metrics.mse.mean)
        let picks = Evaluation.spread(full.sequenceMSE)
        let again = try Evaluation.examples(of: trained.model, sequences: picks.map(\.index), in: testSet,
                                            configuration: trained.experiment.model)
        #expect(again.count == picks.count)
        for ((_, index), redone) in zip(picks, again) {
            // SPEC §9: per frame the sum of squared errors of the clipped prediction, averaged over frames.
            let squared = zip(redone.truth.scalars, redone.prediction.scalars)
                .reduce(0.0) { $0 + pow(Double(min(max($1.1, 0), 1) - $1.0), 2) }
            let mse = squared / Double(redone.truth.shape[0])
            #expect(abs(mse - full.sequenceMSE[index]) <= 1e-4 * max(1, full.sequenceMSE[index]), "sequence \(index)")
        }
        #expect(picks.first.map { full.sequenceMSE[$0.index] } == full.sequenceMSE.min())
        #expect(picks.last.map { full.sequenceMSE[$0.index] } == full.sequenceMSE.max())
    }

    @Test func spreadPicksBestMedianWorstOnce() {
        let picks = Evaluation.spread([5, 1, 3, 9, 7])
        #expect(picks.map(\.label) == ["best", "median", "worst"] && picks.map(\.index) == [1, 0, 3])
        // Two sequences: the lower one is the best and the median.
        #expect(Evaluation.spread([2, 1]).map(\.index) == [1, 0])
        #expect(Evaluation.spread([4]).map(\.label) == ["best"])
        #expect(Evaluation.spread([]).isEmpty)
    }

    /// The model card states what it was trained on and how, and its test scores with floors.
    @Test func modelCardStatesTheRecipeTheScoresAndTheCommand() throws {
        let (data, run) = try trainedRun()
        defer { for url in [data, run] { try? FileManager.default.removeItem(at: url) } }
        let trained = try TrainedModel(run: run)
        let testSet = try trained.experiment.data.datasets(trained.experiment.dataOptions).test
        let configuration = trained.experiment.model
        let metrics = try Evaluation.run(trained.model, on: testSet, count: 2, batchSize: 2, configuration: configuration,
                                         exampleCount: 0, options: MetricsOptions()).metrics
        let black = try Evaluation.score(.black, on: testSet, count: 2, batchSize: 2, configuration: configuration,
                                         options: MetricsOptions())
        let card = ModelCard(name: "square", trained: trained, fileBytes: 4096, metrics: metrics,
                             baselines: [("all-black frames", black)], reproduce: "motionrnn train --output x",
                             machine: "test machine").markdown
        for phrase in ["# square", "MotionRNN-PredRNN", "2 layers × 8 channels", "batch 2", "seed 4",
                       "2 iterations planned, 2 trained", "test machine", "| all-black frames |",
                       String(format: "%.1f", metrics.mse.mean), "motionrnn train --output x",
                       "Frames: every frame, the whole frame resized to 16×16 (the aspect ratio is not kept), grey."] {
            #expect(card.contains(phrase), "the card lacks '\(phrase)'")
        }
        #expect(!card.contains("started from the parameters"))
        // A fine-tuned run's card says what it started from; a V-MNIST run's names its digits.
        var experiment = trained.experiment
        // Paths under the trainer's home are written from `~`, as the cards' commands are.
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        experiment.initFrom = home + "/runs/base.safetensors"
        experiment.history = ["branched from \(home)/runs/deep/deep-predrnn at iteration 8000"]
        experiment.frameStride = 2
        experiment.centerCropFraction = 0.8
        try JSONEncoder().encode(experiment).write(to: ExperimentRunner.experimentURL(in: run))
        let strided = ModelCard(name: "square", trained: try TrainedModel(run: run), fileBytes: 4096, metrics: metrics,
                                baselines: [], reproduce: "", machine: "test machine").markdown
        #expect(strided.contains("Frames: one frame in 2, a centre crop of 80 % of each side resized to 16×16"), "\(strided)")
        experiment.data = .vmnist(digits: "/data/bars-images-idx3-ubyte")
        experiment.training.learningRateSchedule = .init(warmupIterations: 1, decay: .cosine, decayStartIteration: 1)
        try JSONEncoder().encode(experiment).write(to: ExperimentRunner.experimentURL(in: run))
        let tuned = try TrainedModel(run: run)
        let tunedCard = ModelCard(name: "square", trained: tuned, fileBytes: 4096, metrics: metrics, baselines: [],
                                  reproduce: "", machine: "test machine").markdown
        #expect(tunedCard.contains("started from the parameters of `~/runs/base.safetensors`"), "\(tunedCard)")
        #expect(tunedCard.contains("this run only, the command below trains every stage from scratch"))
        #expect(tunedCard.contains("- branched from ~/runs/deep/deep-predrnn at iteration 8000"))
        #expect(!tunedCard.contains(home + "/runs"))
        #expect(tunedCard.contains("V-MNIST generated on the fly from the digits in `/data/bars-images-idx3-ubyte`"))
        #expect(tunedCard.contains("The first 72 % of the digits train"))
        #expect(tunedCard.contains("warm-up 1 iterations, constant to iteration 1, then cosine decay to 0.05"))
    }
}
