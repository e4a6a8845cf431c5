import Imaging
/// Frame strips: one row per sequence (inputs, ground truth, prediction), frames side by side,
/// thin separators between frames and rows, an optional label column on the left.
public enum Strip {
    /// Layout constants, public so tests and callers can predict the picture's size.
    public struct Style: Sendable {
        /// Pixel repetition applied to every frame (64×64 frames are tiny on screen).
        public var scale: Int
        /// Separator width between frames and between rows.
        public var separator: Int
        public var separatorColor: RGB
        /// Label text colour and its column's background.
        public var labelColor: RGB
        public var labelBackground: RGB
        /// Padding around a label inside its column.
        public var labelPadding: Int

        public init(scale: Int = 2, separator: Int = 2, separatorColor: RGB = .white,
                    labelColor: RGB = .black, labelBackground: RGB = .white, labelPadding: Int = 4) {
            precondition(scale >= 1 && separator >= 0 && labelPadding >= 0, "Strip.Style: invalid sizes")
            self.scale = scale
            self.separator = separator
            self.separatorColor = separatorColor
            self.labelColor = labelColor
            self.labelBackground = labelBackground
            self.labelPadding = labelPadding
        }
    }

    /// Rows of equally sized frames (rows may differ in length; short rows leave the separator
    /// colour on the right). `labels`, when given, has one entry per row.
    public static func render(rows: [[Image]], labels: [String]? = nil, style: Style = Style()) -> Image {
        let frames = rows.flatMap { $0 }
        precondition(!frames.isEmpty, "Strip.render: no frames")
        precondition(labels == nil || labels!.count == rows.count,
                     "Strip.render: \(labels?.count ?? 0) labels for \(rows.count) rows")
        let first = frames[0]
        for f in frames {
            precondition(f.width == first.width && f.height == first.height,
                         "Strip.render: frame \(f) differs in size from \(first)")
        }
        let cellW = first.width * style.scale, cellH = first.height * style.scale
        let channels = frames.contains { !$0.isGray } ? 3 : 1
        let labelWidth = labels.map { l in
            (l.map { BitmapFont.width(of: $0) }.max() ?? 0) + 2 * style.labelPadding
        } ?? 0
        let columns = rows.map(\.count).max()!
        let width = labelWidth + columns * cellW + (columns + 1) * style.separator
        let height = rows.count * cellH + (rows.count + 1) * style.separator
        var canvas = Image(width: width, height: height, channels: channels, fill: style.separatorColor)
        if labelWidth > 0 {
            canvas.fillRect(x: 0, y: 0, width: labelWidth, height: height, color: style.labelBackground)
        }
        for (r, row) in rows.enumerated() {
            let y = style.separator + r * (cellH + style.separator)
            for (c, frame) in row.enumerated() {
                let x = labelWidth + style.separator + c * (cellW + style.separator)
                canvas.paste(frame.upscaled(by: style.scale), x: x, y: y)
            }
            if let labels {
                BitmapFont.draw(labels[r], on: &canvas, x: style.labelPadding,
                                y: y + (cellH - BitmapFont.height()) / 2, color: style.labelColor)
            }
        }
        return canvas
    }

    /// The usual comparison picture: an optional input row, then ground truth, then prediction,
    /// labelled "input", "truth", "prediction".
    public static func render(groundTruth: [Image], prediction: [Image], input: [Image]? = nil,
                              labelled: Bool = true, style: Style = Style()) -> Image {
        var rows = [groundTruth, prediction]
        var labels = ["truth", "prediction"]
        if let input {
            rows.insert(input, at: 0)
            labels.insert("input", at: 0)
        }
        return render(rows: rows, labels: labelled ? labels : nil, style: style)
    }
}
