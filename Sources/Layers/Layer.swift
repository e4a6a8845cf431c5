import Engine

/// Something that owns trainable parameters, reachable by their stable names
/// (the official PyTorch `state_dict` names where a reference model exists).
public protocol Layer: AnyObject {
    /// Every trainable parameter with its full name, in a fixed order.
    var namedParameters: [(name: String, parameter: Variable)] { get }
}

extension Layer {
    public var parameters: [Variable] { namedParameters.map(\.parameter) }
    public func zeroGradients() { for parameter in parameters { parameter.zeroGrad() } }
}
