import ArgumentParser
import Datasets
import DistributedTraining
import Experiments
import Foundation
import Training

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model, evaluate it on the test set and write the report.",
        discussion: """
            Everything goes into the --output folder: experiment.json, checkpoints/ (written \
            atomically; --resume continues the newest exactly), metrics.json, metrics.md and \
            report/index.html with the pictures. Ctrl-C (or SIGTERM) stops after the iteration \
            under way with a checkpoint that --resume continues (exit status 130 or 143); a second \
            one stops at once.
            """)

    @OptionGroup var options: ExperimentOptions

    @Option(help: "Run folder (default: runs/<model>-<preset>).") var output: String?
    @Flag(help: "Continue the run in --output from its newest checkpoint.") var resume = false
    @Option(help: ArgumentHelp("Start --output as a branch of another run at one of its checkpoints (RUN/checkpoints/checkpoint-<iteration>.json, or a run folder for its newest), with the plan it had then; the other run is left as it is. Changes as with --resume.", valueName: "checkpoint"))
    var branchFrom: String?
    @Option(help: "Stop at a checkpoint after this much training time in this session (e.g. 90m, 2h, 3600s); --resume continues.")
    var timeBudget: String?
    @Option(help: ArgumentHelp("Stop at a checkpoint after this iteration; --resume continues (e.g. with other --iterations, which re-plan the learning-rate decay from there).", valueName: "iteration"))
    var stopAt: Int?
    @Flag(help: "Data-parallel training over MPI: start with `mpirun -np N motionrnn train --distributed …`; the global --batch-size is shared by the ranks, rank 0 writes the run. Threads per rank: MOTIONRNN_THREADS.")
    var distributed = false

    func validate() throws {
        if let timeBudget { _ = try Self.seconds(parsing: timeBudget) }
        if let stopAt, stopAt < 1 { throw ValidationError("--stop-at \(stopAt) must be an iteration ≥ 1") }
        if branchFrom != nil, resume {
            throw ValidationError("--branch-from starts a new run folder and --resume continues one: give one of them")
        }
        if branchFrom != nil, output == nil {
            throw ValidationError("--branch-from needs --output, the new run folder")
        }
        if branchFrom != nil, distributed {
            throw ValidationError("--branch-from cannot start a --distributed run: branch first (e.g. with --stop-at), then continue it with --resume --distributed")
        }
    }

    func run() throws {
        let finished: Bool
        if distributed {
            let group = try MPIProcessGroup()
            do {
                finished = try train(group: group)
                group.finalize()
            } catch {
                // The other ranks may be waiting in a collective for this one: stop them all.
                printError("rank \(group.rank) of \(group.size): \(error)")
                if group.size > 1 { group.abort() }
                throw error
            }
        } else {
            finished = try train(group: nil)
        }
        // The shell's convention for a command ended by a signal, though this one stopped
        // cleanly at a checkpoint. A signal during the final evaluation of a finished run
        // changes nothing: its report is complete.
        if let signal = StopRequest.signal, !finished { throw ExitCode(128 + signal) }
    }

    /// Whether the run reached its last iteration.
    private func train(group: MPIProcessGroup?) throws -> Bool {
        // Before anything is printed: a test waits for the first line to send its signal.
        StopRequest.catchSignals()
        let folder = URL(fileURLWithPath: output ?? "runs/\(options.modelName)-\(options.presetName)")
        var experiment: Experiment
        var initial: TrainedModel?
        if resume || branchFrom != nil {
            let fixed = branchFrom == nil ? options.flagsFixedOnResume : options.flagsFixedOnBranch
            let how = branchFrom.map { "--branch-from continues \($0)" } ?? "--resume continues \(folder.path)"
            guard fixed.isEmpty else {
                throw ValidationError("\(how) as it was set up: \(fixed.joined(separator: ", ")) cannot change on resume (start a new run in another --output folder instead); --iterations, --decay, --decay-start, --final-learning-rate, --validation-interval, --checkpoint-interval, --keep-checkpoints, --test-count, --examples and --time-budget can"
                                      + (branchFrom == nil ? "" : ", and on a branch --motion-bound"))
            }
            // The changes a resume may make; a branch is written only once they are checked.
            let adjust = { (experiment: inout Experiment) throws in
                let digitsFromEnvironment = experiment.data.withDigitsFromEnvironment()
                guard digitsFromEnvironment == experiment.data else {
                    throw ValidationError("\(how) on \(experiment.data), but $\(MLXtendDigits.environmentVariable) names other digits (\(digitsFromEnvironment)); the digits cannot change within a run: unset it to resume, or start a new run with --init-from")
                }
                let changes = branchFrom == nil ? options.applyOnResume(to: &experiment) : options.applyOnBranch(to: &experiment)
                try ExperimentOptions.validate(experiment)
                if !changes.isEmpty {
                    let (done, doing) = branchFrom == nil ? ("resumed", "resuming") : ("branched", "branching")
                    experiment.history.append("\(ISO8601DateFormatter().string(from: Date())): \(done) with \(changes.joined(separator: ", "))")
                    printError("\(doing) with \(changes.joined(separator: ", "))")
                }
            }
            if let branchFrom {
                experiment = try ExperimentRunner.branch(from: URL(fileURLWithPath: branchFrom), into: folder, adjusting: adjust)
                printError("branched \(folder.path) from \(branchFrom)")
            } else {
                experiment = try TrainedModel.savedExperiment(in: folder)
                try adjust(&experiment)
            }
        } else {
            initial = try options.initFrom.map { try TrainedModel(runOrPretrained: $0) }
            experiment = try options.experiment(initial: initial)
        }
        let budget = try timeBudget.map { try Self.seconds(parsing: $0) }
        let isWriter = (group?.rank ?? 0) == 0
        if isWriter {
            printError("training \(experiment.model.displayName) on \(experiment.data) → \(folder.path)"
                       + (group.map { " on \($0.size) processes (batch \(experiment.training.batchSize) shared)" } ?? ""))
        }
        let outcome = try ExperimentRunner.train(experiment, in: folder, resume: resume || branchFrom != nil, timeBudget: budget,
                                                 stopAt: stopAt, stopRequested: StopRequest.isPending,
                                                 initialModel: initial,
                                                 progress: isWriter ? ProgressReporter() : ProgressReporter(style: .silent),
                                                 group: group)
        guard isWriter else { return outcome.finished }
        if let group, outcome.trainingSeconds > 0 {
            printError(String(format: "all-reduce on rank 0: %.2f s of %.1f s training this session (%.1f %%), %.2f MB of gradients reduced",
                              group.reduceSeconds, outcome.trainingSeconds, 100 * group.reduceSeconds / outcome.trainingSeconds,
                              Double(group.reducedFloats * 4) / 1e6))
        }
        let time = "\(outcome.iterations) iterations (this session \(String(format: "%.0f", outcome.trainingSeconds)) s)"
        guard let metrics = outcome.metrics, let report = outcome.reportURL else {
            let signal = StopRequest.signal
            let reason = signal.map { "stopped on signal \($0) (\($0 == SIGINT ? "SIGINT" : "SIGTERM"))" }
                ?? (stopAt == outcome.iterations ? "stopped as asked (--stop-at)" : "time budget spent")
            print("\(reason) after \(time) of \(experiment.training.iterations); continue with: motionrnn train --output \(folder.path) --resume")
            return false
        }
        print(metrics.markdownTable())
        print("trained \(time)")
        print("report: \(report.path)")
        return true
    }

    /// "90m", "2h", "3600s", "3600" (seconds), or parts together as the progress lines print
    /// them: "2h30m", "3h 20m", "12m 05s".
    static func seconds(parsing text: String) throws -> Double {
        let invalid = ValidationError("--time-budget '\(text)' must be a positive duration such as 90m, 2h30m or 3600s")
        let compact = text.filter { $0 != " " }
        if let plain = Double(compact) {
            guard plain.isFinite, plain > 0 else { throw invalid }
            return plain
        }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        var total = 0.0, number = "", seen = Set<Character>()
        for character in compact {
            if let unit = units[character] {
                guard let value = Double(number), value.isFinite, value >= 0, seen.insert(character).inserted else { throw invalid }
                total += value * unit
                number = ""
            } else if character.isASCII, character.isNumber || character == "." {
                number.append(character)
            } else {
                throw invalid
            }
        }
        guard number.isEmpty, total > 0, total.isFinite else { throw invalid }
        return total
    }
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
