import Engine

/// Sums named parameters over several checkpoints, in double precision, for their mean.
struct ParameterSum {
    private var sums: [String: [Double]]
    private var count = 0

    /// Zero sums for the parameters named, each of its element count.
    init(_ parameters: [(name: String, count: Int)]) {
        sums = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, [Double](repeating: 0, count: $0.count)) })
    }

    /// Adds one checkpoint's parameters (other tensors, such as the optimiser's, are ignored).
    mutating func add(_ tensors: [String: Tensor], source: String) throws {
        for (name, sum) in sums {
            guard let tensor = tensors[name], tensor.count == sum.count else {
                throw ExperimentError("\(source) lacks parameter '\(name)' of \(sum.count) values")
            }
            let values = tensor.pointer
            sums[name] = sum.indices.map { sum[$0] + Double(values[$0]) }
        }
        count += 1
    }

    /// The means, each shaped like the tensor of the same name in `reference`.
    func mean(shapedLike reference: [String: Tensor]) -> [String: Tensor] {
        sums.reduce(into: [:]) { means, entry in
            let shape = reference[entry.key]?.shape ?? [entry.value.count]
            means[entry.key] = Tensor(shape: shape, scalars: entry.value.map { Float($0 / Double(count)) })
        }
    }
}
