import Engine

/// Something that owns trainable parameters, reachable by their stable names
/// (the official PyTorch `state_dict` names where a reference model exists).
public protocol Layer: AnyObject {
    /// Every trainable parameter with its full name relative to this layer, in a fixed order.
    var namedParameters: [(name: String, parameter: Variable)] { get }
}

extension Layer {
    public var parameters: [Variable] { namedParameters.map(\.parameter) }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    public func zeroGradients() { for parameter in parameters { parameter.zeroGrad() } }

    /// The parameters as a name → tensor dictionary (what a checkpoint stores).
    public func stateDictionary() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.name, $0.parameter.value) })
    }

    /// Loads every parameter by name. Fails, naming the parameter, if one is missing or has the
    /// wrong shape; names in `tensors` that this layer does not have are ignored (a fixture holds
    /// inputs and gradients beside the parameters). Nothing is changed unless all of them fit.
    public func loadParameters(from tensors: [String: Tensor], source: String) throws {
        var assignments: [(Variable, Tensor)] = []
        for (name, parameter) in namedParameters {
            guard let tensor = tensors[name] else {
                throw ParameterLoadingError(source: source, problem: "no tensor named '\(name)'")
            }
            guard tensor.shape == parameter.shape else {
                throw ParameterLoadingError(
                    source: source,
                    problem: "'\(name)' has shape \(tensor.shape), the model expects \(parameter.shape)")
            }
            assignments.append((parameter, tensor.copy()))
        }
        for (parameter, tensor) in assignments { parameter.assign(tensor) }
    }
}

public struct ParameterLoadingError: Error, CustomStringConvertible {
    public let source: String
    public let problem: String
    public var description: String { "\(source): \(problem)" }
}

/// Prefixes the parameter names of a sub-layer: `prefixed("cell_list.0", cell)`.
public func prefixed(_ prefix: String, _ layer: Layer) -> [(name: String, parameter: Variable)] {
    layer.namedParameters.map { (prefix + "." + $0.name, $0.parameter) }
}
