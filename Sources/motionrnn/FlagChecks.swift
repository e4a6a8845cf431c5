import ArgumentParser

/// The one wording of the commands' check on counts, strides and intervals given as flags:
/// `try requireAtLeastOne(stride, "--frame-stride")` (a flag left out, `nil`, passes).
func requireAtLeastOne(_ value: Int?, _ flag: String) throws {
    if let value, value < 1 { throw ValidationError("\(flag) must be at least 1, got \(value)") }
}
