import ArgumentParser
import Experiments
import Foundation
import Reports

struct CurveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curve",
        abstract: "Print a run's validation curve (over all its sessions): loss and MSE per frame against iterations and training time.")

    @Argument(help: ArgumentHelp("Run folders or pretrained models.", valueName: "model")) var models: [String]
    @Option(help: "Print every N-th validation point (the last one always).") var every = 1
    @Option(help: ArgumentHelp("Also draw the curves of all the models, one colour each, into PREFIX-iterations.png and PREFIX-hours.png.",
                               valueName: "prefix"))
    var plot: String?

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("give at least one run folder or pretrained model") }
        try requireAtLeastOne(every, "--every")
    }

    func run() throws {
        var failures = 0
        var curves: [LearningCurves.Run] = []
        let labels = TrainedModel.labels(for: models)
        for (index, model) in models.enumerated() {
            let trained: TrainedModel
            do {
                trained = try TrainedModel(runOrPretrained: model)
            } catch {
                printError("\(model): \(error)")
                failures += 1
                continue
            }
            let points = trained.history.validation
            curves.append(LearningCurves.Run(name: labels[index],
                                             points: points.compactMap { point in
                                                 point.meanMSE.map { (point.iteration, point.seconds.map { $0 / 3600 }, Double($0)) }
                                             }))
            print("\n\(model): \(trained.experiment.model.displayName), \(trained.iteration) iterations"
                  + (trained.history.trainingSeconds.map { String(format: ", %.2f h of training", $0 / 3600) } ?? ""))
            print("| iteration | hours | validation loss | MSE mean | MSE frame 1 | MSE last frame |")
            print("|---:|---:|---:|---:|---:|---:|")
            for (index, point) in points.enumerated() where index % every == every - 1 || index == points.count - 1 {
                func number(_ value: Float?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "–" }
                print("| \(point.iteration) | \(point.seconds.map { String(format: "%.2f", $0 / 3600) } ?? "–") | "
                      + "\(String(format: "%.5f", point.loss)) | \(number(point.meanMSE, "%.1f")) | "
                      + "\(number(point.msePerFrame?.first, "%.1f")) | \(number(point.msePerFrame?.last, "%.1f")) |")
            }
        }
        if let plot, !curves.isEmpty {
            for file in try LearningCurves.write(curves, prefix: URL(fileURLWithPath: plot)) { print("plot: \(file.path)") }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
