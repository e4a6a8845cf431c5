/// Plain-text tables for benchmark output: the first `leftColumns` columns left-aligned (names),
/// the rest right-aligned (numbers).
package enum TextTable {
    /// One row padded to `widths` (a row may be printed as soon as it is measured).
    package static func row(_ cells: [String], widths: [Int], leftColumns: Int = 1, separator: String = " ") -> String {
        zip(cells, widths).enumerated().map { index, pair in
            let pad = String(repeating: " ", count: max(0, pair.1 - pair.0.count))
            return index < leftColumns ? pair.0 + pad : pad + pair.0
        }.joined(separator: separator)
    }

    /// The whole table, each column as wide as its widest cell.
    package static func render(_ header: [String], _ rows: [[String]], leftColumns: Int = 1) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row($0, widths: widths, leftColumns: leftColumns, separator: "  ") }.joined(separator: "\n")
    }

    /// `value` with a printf `pattern`, or "–" when it is not finite.
    package static func format(_ value: Double, _ pattern: String) -> String {
        value.isFinite ? String(format: pattern, value) : "–"
    }
}
