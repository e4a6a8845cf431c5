import Imaging
import Foundation

/// A self-contained HTML page (inline CSS, no scripts) that shows a run's pictures — by paths
/// relative to the page — with headings, text and metrics tables.
public struct HTMLReport {
    public var title: String
    private var body: [String] = []
    /// Image paths as given (relative to the report's folder), checked when writing.
    public private(set) var imagePaths: [String] = []

    public init(title: String) { self.title = title }

    public mutating func addHeading(_ text: String) { body.append("<h2>\(escape(text))</h2>") }

    public mutating func addParagraph(_ text: String) { body.append("<p>\(escape(text))</p>") }

    public mutating func addPreformatted(_ text: String) { body.append("<pre>\(escape(text))</pre>") }

    /// Shows a PNG or GIF. `pixelated` keeps small frames crisp when the browser enlarges them;
    /// `displayWidth` sets the on-screen width in CSS pixels.
    public mutating func addImage(_ relativePath: String, caption: String? = nil, pixelated: Bool = true,
                                  displayWidth: Int? = nil) {
        imagePaths.append(relativePath)
        var style = [String]()
        if pixelated { style.append("image-rendering: pixelated") }
        if let displayWidth { style.append("width: \(displayWidth)px") }
        let styleAttribute = style.isEmpty ? "" : " style=\"\(style.joined(separator: "; "))\""
        var figure = "<figure><img src=\"\(escapeAttribute(relativePath))\" alt=\"\(escape(caption ?? relativePath))\"\(styleAttribute)>"
        if let caption { figure += "<figcaption>\(escape(caption))</figcaption>" }
        body.append(figure + "</figure>")
    }

    /// One row per metric (in `order`, else sorted by name), one column per predicted frame
    /// (1-based) and a final mean column. Values print with 4 significant digits.
    public mutating func addMetricsTable(_ metrics: [String: [Double]], order: [String]? = nil,
                                         caption: String? = nil) {
        let names = (order ?? metrics.keys.sorted()).filter { metrics[$0] != nil }
        let frames = names.map { metrics[$0]!.count }.max() ?? 0
        var html = "<table>"
        if let caption { html += "<caption>\(escape(caption))</caption>" }
        html += "<tr><th>metric</th>" + (0..<frames).map { "<th>\($0 + 1)</th>" }.joined() + "<th>mean</th></tr>"
        for name in names {
            let values = metrics[name]!
            let finite = values.filter(\.isFinite)
            let mean = finite.isEmpty ? Double.nan : finite.reduce(0, +) / Double(finite.count)
            html += "<tr><th>\(escape(name))</th>"
            html += (0..<frames).map { $0 < values.count ? "<td>\(HTMLReport.format(values[$0]))</td>" : "<td></td>" }.joined()
            html += "<td class=\"mean\">\(HTMLReport.format(mean))</td></tr>"
        }
        body.append(html + "</table>")
    }

    /// Markdown as produced by the metrics writer: pipe tables become HTML tables, `#` lines
    /// headings, other non-empty lines paragraphs (no inline formatting).
    public mutating func addMarkdown(_ markdown: String) {
        var table = [[String]]()
        func flushTable() {
            guard !table.isEmpty else { return }
            var html = "<table>"
            for (i, row) in table.enumerated() {
                let tag = i == 0 ? "th" : "td"
                html += "<tr>" + row.map { "<\(tag)>\(escape($0))</\(tag)>" }.joined() + "</tr>"
            }
            body.append(html + "</table>")
            table = []
        }
        for rawLine in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("|") {
                var cells = line.split(separator: "|", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                if cells.first == "" { cells.removeFirst() }
                if cells.last == "" { cells.removeLast() }
                // The |---|:--:| row only separates the header.
                if !cells.isEmpty && cells.allSatisfy({ !$0.isEmpty && $0.allSatisfy { "-:".contains($0) } }) { continue }
                table.append(cells)
                continue
            }
            flushTable()
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let level = min(4, max(2, line.prefix { $0 == "#" }.count + 1))
                body.append("<h\(level)>\(escape(line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)))</h\(level)>")
            } else {
                body.append("<p>\(escape(line))</p>")
            }
        }
        flushTable()
    }

    public func render() -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
        figure { margin: 1em 0; }
        figure img { max-width: 100%; border: 1px solid #ccc; }
        figcaption { color: #555; font-size: 0.9em; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
        th { background: #f3f3f3; }
        td.mean { font-weight: bold; }
        caption { text-align: left; font-weight: bold; padding-bottom: 0.3em; }
        pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; }
        </style>
        </head>
        <body>
        <h1>\(escape(title))</h1>
        \(body.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    /// Writes the page; every image must exist relative to the page's folder, so a broken
    /// report fails here rather than showing empty frames later.
    public func write(to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        for path in imagePaths {
            let file = path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw ImagingError.io(path: file.path, reason: "the report \(url.lastPathComponent) shows this image, but it does not exist")
            }
        }
        try FileIO.write(render(), to: url)
    }

    public static func format(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "–" : (v > 0 ? "∞" : "-∞") }
        return String(format: "%.4g", v)
    }
}

private func escape(_ text: String) -> String {
    var out = ""
    for ch in text {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        default: out.append(ch)
        }
    }
    return out
}

private func escapeAttribute(_ text: String) -> String {
    escape(text).replacingOccurrences(of: "\"", with: "&quot;")
}
