import Foundation

/// The IDX format of the MNIST distribution (`train-images-idx3-ubyte[.gz]`,
/// `train-labels-idx1-ubyte[.gz]`; Fashion-MNIST uses it too): two zero bytes, a type code
/// (0x08 = unsigned byte), the number of dimensions, the dimensions as big-endian 32-bit
/// integers, then the data. Gzip-compressed files are inflated transparently.
public enum IDXFile {
    /// Reads an unsigned-byte IDX file: its dimensions and data.
    public static func read(from url: URL) throws -> (shape: [Int], bytes: [UInt8]) {
        let data = try FileBytes.readMaybeGzipped(url)
        let reader = ByteReader(data: data, path: url.path)
        try reader.need(0, 4)
        guard reader.byte(0) == 0, reader.byte(1) == 0 else {
            throw DatasetError(path: url.path, .badMagic("IDX"))
        }
        let typeCode = reader.byte(2)
        guard typeCode == 0x08 else {
            let names: [UInt8: String] = [0x09: "signed byte", 0x0B: "int16", 0x0C: "int32",
                                          0x0D: "float32", 0x0E: "float64"]
            throw DatasetError(path: url.path, .unsupportedDType(
                "IDX type 0x\(String(typeCode, radix: 16)) (\(names[typeCode] ?? "unknown")); "
                    + "only unsigned bytes (0x08) are read"))
        }
        let rank = Int(reader.byte(3))
        guard rank >= 1 else {
            throw DatasetError(path: url.path, .invalidHeader("zero dimensions"))
        }
        try reader.need(4, 4 * rank)
        let shape = (0..<rank).map { Int(reader.u32BigEndian(4 + 4 * $0)) }
        // Checked: dimensions from the header may multiply past Int.max (a fuzzing finding).
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw DatasetError(path: url.path, .malformed("header shape \(shape) has more elements than can be counted"))
            }
            count = product
        }
        let start = 4 + 4 * rank
        try reader.need(start, count)
        guard data.count == start + count else {
            throw DatasetError(path: url.path, .malformed(
                "\(data.count - start - count) bytes after the data (header shape \(shape))"))
        }
        return (shape, [UInt8](data[(data.startIndex + start)...]))
    }

    /// Images `[N, rows, cols]` and, when given, their labels `[N]`.
    public static func digits(images: URL, labels: URL? = nil) throws -> DigitImages {
        let (shape, pixels) = try read(from: images)
        guard shape.count == 3 else {
            throw DatasetError(path: images.path, .wrongShape(expected: "[N, rows, cols] (idx3)",
                                                               actual: shape))
        }
        var labelBytes: [UInt8]?
        if let labels {
            let (labelShape, bytes) = try read(from: labels)
            guard labelShape == [shape[0]] else {
                throw DatasetError(path: labels.path, .wrongShape(
                    expected: "[\(shape[0])] (one label per image of \(images.lastPathComponent))",
                    actual: labelShape))
            }
            labelBytes = bytes
        }
        return DigitImages(rows: shape[1], cols: shape[2], pixels: pixels, labels: labelBytes,
                           source: images.path)
    }

    /// Whether `url` names an IDX image file by the MNIST distribution's naming
    /// (`…-images-idx3-ubyte`, optionally `.gz`).
    public static func isImagesFile(_ url: URL) -> Bool {
        url.lastPathComponent.contains("idx3-ubyte")
    }

    /// Images from `images` with the labels file beside it when there is one: `…-images-idx3-ubyte`
    /// pairs with `…-labels-idx1-ubyte`, gzip-compressed or not.
    public static func digits(imagesBesideLabels images: URL) throws -> DigitImages {
        var stem = images.lastPathComponent
        if stem.hasSuffix(".gz") { stem.removeLast(3) }
        let labelsStem = stem.replacingOccurrences(of: "images-idx3", with: "labels-idx1")
        let labels = labelsStem == stem ? nil : existing(labelsStem, in: images.deletingLastPathComponent())
        return try digits(images: images, labels: labels)
    }

    /// `directory/stem` or `directory/stem.gz`, whichever exists.
    private static func existing(_ stem: String, in directory: URL) -> URL? {
        [stem, stem + ".gz"].map { directory.appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// The Fashion-MNIST files that Debian's `dataset-fashion-mnist` package installs.
    public static let debianFashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// Finds `<prefix>-images-idx3-ubyte[.gz]` and its labels file in `directory`
    /// (prefix `train` or `t10k` in the MNIST distribution).
    public static func digits(inDirectory directory: URL, prefix: String) throws -> DigitImages {
        guard let images = existing("\(prefix)-images-idx3-ubyte", in: directory) else {
            throw DatasetError(path: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte[.gz]").path,
                               .fileNotFound)
        }
        return try digits(imagesBesideLabels: images)
    }
}
