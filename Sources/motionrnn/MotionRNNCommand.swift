import ArgumentParser
import Engine

@main
struct MotionRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "motionrnn",
        abstract: "MotionRNN video prediction in Swift: train, evaluate, predict, benchmark.",
        subcommands: [TrainCommand.self, TestCommand.self, PredictCommand.self, CompareCommand.self, CurveCommand.self, ExportCommand.self, ImportCommand.self, InfoCommand.self,
                      VerifyReferenceCommand.self, VerifyFVDCommand.self, FVDCommand.self, BenchCommand.self, BenchKernelsCommand.self])

    static func main() {
        // First: a restart repeats whatever ran before it.
        BLASCore.restartIfItPickedBadly()
        main(nil)
    }
}
