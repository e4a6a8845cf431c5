import Datasets
import Engine
import Foundation
import Testing

@Suite struct MovingMNISTFileTests {
    private let directory = temporaryDirectory("mmnist")

    /// A `[T=4, N=3, 5, 6]` uint8 file whose value encodes (t, n, pixel).
    private func value(_ t: Int, _ n: Int, _ p: Int) -> UInt8 { UInt8((t * 60 + n * 20 + p) % 256) }

    @Test func readsTheTimeMajorNPYLayout() throws {
        var bytes: [UInt8] = []
        for t in 0..<4 { for n in 0..<3 { for p in 0..<30 { bytes.append(value(t, n, p)) } } }
        let url = write(NPYArray.encode(uint8: bytes, shape: [4, 3, 5, 6]), "mm.npy", in: directory)
        let dataset = try MovingMNISTFile.open(url)
        #expect(dataset.count == 3)
        #expect(dataset.sequenceLength == 4)
        #expect(dataset.frameShape == [5, 6, 1])
        let sequence = try dataset.sequence(at: 1)
        #expect(sequence.shape == [4, 5, 6, 1])
        for t in 0..<4 {
            #expect(sequence.frame(t) == (0..<30).map { Float(value(t, 1, $0)) / 255 })
        }
    }

    @Test func acceptsFloatFramesInUnitRange() throws {
        let values = (0..<(2 * 2 * 3 * 3)).map { Float($0) / 35 }
        let url = write(NPYArray.encode(float32: values, shape: [2, 2, 3, 3]), "f.npy", in: directory)
        let sequence = try MovingMNISTFile.open(url).sequence(at: 0)
        #expect(sequence.frame(0) == Array(values[0..<9]))
        #expect(sequence.frame(1) == Array(values[18..<27]))
    }

    @Test func rejectsWrongRankTypeNaNAndRange() {
        expectDatasetError(.wrongShape(expected: "[T, N, H, W] (Moving MNIST .npy layout)",
                                       actual: [20, 64, 64]), pathContains: "rank3.npy") {
            _ = try MovingMNISTFile.open(write(
                NPYArray.encode(uint8: [UInt8](repeating: 0, count: 20 * 64 * 64), shape: [20, 64, 64]),
                "rank3.npy", in: directory))
        }
        expectDatasetError(.unsupportedDType("'i8' (frames must be uint8 or float)"),
                           pathContains: "int64.npy") {
            _ = try MovingMNISTFile.open(write(
                NPYArray.encode(descr: "<i8", shape: [1, 1, 1, 1], payload: Data(count: 8)),
                "int64.npy", in: directory))
        }
        expectDatasetError(.nonFinite(index: 5), pathContains: "nan.npy") {
            var values = [Float](repeating: 0.5, count: 8)
            values[5] = .nan
            _ = try MovingMNISTFile.open(write(NPYArray.encode(float32: values, shape: [2, 1, 2, 2]),
                                               "nan.npy", in: directory))
        }
        expectDatasetError(.outOfRange("element 3 is 255.0; float frames must lie in [0, 1]"),
                           pathContains: "bytes-as-float.npy") {
            _ = try MovingMNISTFile.open(write(NPYArray.encode(float32: [0, 0, 0, 255], shape: [1, 1, 2, 2]),
                                               "bytes-as-float.npy", in: directory))
        }
        expectDatasetError(.badMagic("NumPy .npy"), pathContains: "video.avi") {
            _ = try MovingMNISTFile.open(write(Data("RIFF....AVI LIST".utf8), "video.avi", in: directory))
        }
    }

    /// A PredRNN-style archive: 2 sequences of 2 input + 3 output frames of [C=2, 2, 3].
    private func predRNNArchive(compress: Bool, clips: [Int32] = [0, 2, 5, 2, 2, 3, 7, 3],
                                dims: [Int32] = [2, 2, 3], nan: Bool = false,
                                members: Set<String> = ["clips", "dims", "input_raw_data"]) -> Data {
        func int32(_ values: [Int32], _ shape: [Int]) -> Data {
            NPYArray.encode(descr: "<i4", shape: shape, payload: values.withUnsafeBytes { Data($0) })
        }
        var raw = (0..<(10 * 2 * 2 * 3)).map { Float($0) / 119 }
        if nan { raw[17] = .nan }
        let all: [(name: String, data: Data)] = [
            ("clips.npy", int32(clips, [2, 2, 2])),
            ("dims.npy", int32(dims, [1, 3])),
            ("input_raw_data.npy", NPYArray.encode(float32: raw, shape: [10, 2, 2, 3])),
        ]
        return ZipArchive.encode(all.filter { members.contains(String($0.name.dropLast(4))) },
                                 compress: compress)
    }

    @Test(arguments: [false, true])
    func readsPredRNNArchives(compressed: Bool) throws {
        let url = write(predRNNArchive(compress: compressed), "mnist.npz", in: directory)
        let dataset = try MovingMNISTFile.open(url)
        #expect(dataset.count == 2)
        #expect(dataset.sequenceLength == 5)
        #expect(dataset.frameShape == [2, 3, 2])
        // Sequence 1: input frames 5, 6, output frames 7, 8, 9; channels moved last.
        let sequence = try dataset.sequence(at: 1)
        for (t, f) in [5, 6, 7, 8, 9].enumerated() {
            var expected: [Float] = []
            for pixel in 0..<6 { for c in 0..<2 { expected.append(Float(f * 12 + c * 6 + pixel) / 119) } }
            #expect(sequence.frame(t) == expected)
        }
    }

    @Test func readsTheArchiveNumPyWrote() throws {
        let url = write(Data(base64Encoded: NPZTests.numpySavez, options: .ignoreUnknownCharacters)!,
                        "numpy.npz", in: directory)
        let dataset = try MovingMNISTFile.open(url)
        #expect(dataset.count == 2 && dataset.sequenceLength == 5 && dataset.frameShape == [2, 3, 1])
        // Sequence 0: input clips[0, 0] = (0, 2), output clips[1, 0] = (2, 3): frames 0 … 4.
        // Sequence 1: input (5, 2), output (7, 3): frames 5 … 9.
        for (index, firstFrame) in [(0, 0), (1, 5)] {
            let sequence = try dataset.sequence(at: index)
            for t in 0..<5 {
                let expected: [Float] = (0..<6).map { Float((firstFrame + t) * 6 + $0) / 59 }
                #expect(sequence.frame(t) == expected)
            }
        }
    }

    @Test func rejectsMalformedPredRNNArchives() {
        expectDatasetError(.missingMember("clips.npy"), pathContains: "noclips.npz") {
            _ = try MovingMNISTFile.open(write(predRNNArchive(compress: false, members: ["dims", "input_raw_data"]),
                                               "noclips.npz", in: directory))
        }
        expectDatasetError(.malformed("clip 1 frames 8..<11 outside input_raw_data's 10 frames"),
                           pathContains: "range.npz") {
            _ = try MovingMNISTFile.open(write(predRNNArchive(compress: false, clips: [0, 2, 5, 2, 2, 3, 8, 3]),
                                               "range.npz", in: directory))
        }
        expectDatasetError(.malformed("dims [1, 2, 3] do not match input_raw_data frames [2, 2, 3]"),
                           pathContains: "dims.npz") {
            _ = try MovingMNISTFile.open(write(predRNNArchive(compress: true, dims: [1, 2, 3]),
                                               "dims.npz", in: directory))
        }
        expectDatasetError(.nonFinite(index: 17), pathContains: "nan.npz (member input_raw_data.npy)") {
            _ = try MovingMNISTFile.open(write(predRNNArchive(compress: true, nan: true),
                                               "nan.npz", in: directory))
        }
    }
}
