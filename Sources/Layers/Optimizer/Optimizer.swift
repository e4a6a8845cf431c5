import Engine

/// Updates a fixed list of leaf parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    /// The parameters, in the order their state is keyed.
    var parameters: [Variable] { get }
    /// May be changed between steps (learning-rate schedules).
    var learningRate: Double { get set }
    /// One update of every parameter that has a gradient; parameters whose `grad` is nil are
    /// left alone, as PyTorch does.
    func step()
    /// Everything needed to resume exactly, for a checkpoint.
    func stateTensors() -> [String: Tensor]
    /// Restores what `stateTensors()` returned; throws (changing nothing) if it does not fit.
    func loadState(_ state: [String: Tensor]) throws
}

extension Optimizer {
    /// Clears every parameter's gradient (sets it to nil, like PyTorch's `set_to_none=True`).
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGrad() }
    }
}

/// A checkpoint's optimiser state that does not fit the optimiser it is loaded into.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
