import Foundation

/// Grey-scale images of single digits (or any small glyphs), `count × rows × cols` bytes
/// (0 = background, 255 = ink), with optional class labels. V-MNIST draws its digits from here.
public struct DigitImages: Sendable {
    public let rows: Int
    public let cols: Int
    /// Row-major pixels, image after image.
    public let pixels: [UInt8]
    /// One class label per image when the source has them.
    public let labels: [UInt8]?
    /// Where the images came from (for messages and reports).
    public let source: String

    public var count: Int { pixels.count / max(rows * cols, 1) }

    public init(rows: Int, cols: Int, pixels: [UInt8], labels: [UInt8]?, source: String) {
        precondition(rows > 0 && cols > 0 && pixels.count % (rows * cols) == 0,
                     "DigitImages: \(pixels.count) pixels do not make whole \(rows)×\(cols) images")
        precondition(labels == nil || labels!.count == pixels.count / (rows * cols),
                     "DigitImages: \(labels!.count) labels for \(pixels.count / (rows * cols)) images")
        self.rows = rows
        self.cols = cols
        self.pixels = pixels
        self.labels = labels
        self.source = source
    }

    /// The images with the given indices, in that order.
    public func subset(_ indices: [Int]) -> DigitImages {
        let size = rows * cols
        var selected: [UInt8] = []
        selected.reserveCapacity(indices.count * size)
        for i in indices {
            precondition(i >= 0 && i < count, "DigitImages.subset: image \(i) outside 0..<\(count)")
            selected += pixels[(i * size)..<((i + 1) * size)]
        }
        return DigitImages(rows: rows, cols: cols, pixels: selected,
                           labels: labels.map { l in indices.map { l[$0] } }, source: source)
    }
}
