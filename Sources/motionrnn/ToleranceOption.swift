import ArgumentParser

/// `--tolerance` of the reference checks (verify-reference, verify-fvd): the largest relative
/// error max|ours − ref| / max|ref| a tensor may have.
struct ToleranceOption: ParsableArguments {
    @Option(help: "Largest relative error a tensor may have.")
    var tolerance: Double = 1e-4

    func validate() throws {
        guard tolerance > 0, tolerance.isFinite else {
            throw ValidationError("--tolerance must be a positive number, got \(tolerance)")
        }
    }
}
