import ArgumentParser

@main
struct MotionRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "motionrnn",
        abstract: "MotionRNN video prediction in Swift: train, evaluate, predict, benchmark.",
        subcommands: [VerifyReferenceCommand.self, InfoCommand.self, BenchKernelsCommand.self, BenchCommand.self])
}
