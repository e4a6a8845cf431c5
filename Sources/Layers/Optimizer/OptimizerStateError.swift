/// A checkpoint's optimiser state that does not fit the optimiser it is loaded into.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
