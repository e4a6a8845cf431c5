/// Shape arithmetic and the checks every op uses, so that a mismatch always names the op and the
/// shapes involved.
public enum Shape {
    public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Row-major strides.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    public static func flatIndex(_ indices: [Int], in shape: [Int]) -> Int {
        precondition(indices.count == shape.count,
                     "Tensor subscript: \(indices.count) indices for shape \(shape)")
        var flat = 0
        for (axis, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[axis],
                         "Tensor subscript: index \(indices) out of range for shape \(shape)")
            flat = flat * shape[axis] + index
        }
        return flat
    }

    /// Resolves a reshape target with at most one -1.
    static func resolve(_ target: [Int], elementCount: Int, op: String, from shape: [Int]) -> [Int] {
        let unknown = target.indices.filter { target[$0] == -1 }
        precondition(unknown.count <= 1, "\(op): more than one -1 in \(target)")
        var resolved = target
        if let axis = unknown.first {
            let known = target.enumerated().filter { $0.offset != axis }.map(\.element).reduce(1, *)
            precondition(known > 0 && elementCount % known == 0,
                         "\(op): cannot reshape \(shape) to \(target)")
            resolved[axis] = elementCount / known
        }
        precondition(resolved.allSatisfy { $0 >= 0 } && resolved.reduce(1, *) == elementCount,
                     "\(op): cannot reshape \(shape) (\(elementCount) elements) to \(target)")
        return resolved
    }

    /// Fails unless `actual == expected`, naming the op and both shapes.
    public static func check(_ op: String, _ actual: [Int], equals expected: [Int],
                             _ what: String = "shape") {
        precondition(actual == expected, "\(op): \(what) \(actual) does not match \(expected)")
    }

    /// Fails unless `shape` has `rank` dimensions.
    public static func check(_ op: String, _ shape: [Int], rank: Int, _ what: String = "input") {
        precondition(shape.count == rank,
                     "\(op): \(what) must have rank \(rank), got shape \(shape)")
    }
}
