import Foundation

extension TrainingConfiguration {
    /// The fields (dotted paths such as `model.hiddenChannels`) whose values differ between
    /// `self` and `other`, each with both values, sorted by path.
    public func differences(from other: TrainingConfiguration) -> [(field: String, this: String, other: String)] {
        let mine = Self.flattened(self), theirs = Self.flattened(other)
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { key in
            let a = mine[key] ?? "(absent)", b = theirs[key] ?? "(absent)"
            return a == b ? nil : (key, a, b)
        }
    }

    /// Every leaf of the JSON form, keyed by its dotted path (arrays stay whole values).
    private static func flattened(_ configuration: TrainingConfiguration) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(configuration),
              let object = try? JSONSerialization.jsonObject(with: data) else { return [:] }
        var leaves: [String: String] = [:]
        func visit(_ value: Any, _ path: String) {
            if let dictionary = value as? [String: Any] {
                for (key, child) in dictionary { visit(child, path.isEmpty ? key : path + "." + key) }
            } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
                leaves[path] = String(decoding: data, as: UTF8.self)
            } else {
                leaves[path] = "\(value)"
            }
        }
        visit(object, "")
        return leaves
    }
}
