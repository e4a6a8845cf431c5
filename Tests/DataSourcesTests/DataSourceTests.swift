import DataSources
import Datasets
import Engine
import Foundation
import Imaging
import Testing
import TestSupport

@Suite struct DataSourceTests {
    /// A temporary folder of numbered gray PNG frames, frame t filled with value 10·t.
    func frameFolder(frames: Int, size: Int = 8, sizeOf: (Int) -> Int = { _ in 8 }) throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("motionrnn-frames-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for t in 0..<frames {
            let side = sizeOf(t)
            let image = Image(width: side, height: side, channels: 1, fill: RGB.gray(UInt8(10 * t)))
            try PNG.write(image, to: folder.appendingPathComponent("frame\(t + 1).png"))
        }
        return folder
    }

    @Test func parsesNames() throws {
        #expect(try DataSource(parsing: "vmnist") == .vmnist(digits: nil))
        #expect(try DataSource(parsing: "radar") == .radar)
        #expect(try DataSource(parsing: "/data/mnist_test_seq.npy") == .movingMNIST(path: "/data/mnist_test_seq.npy"))
        #expect(try DataSource(parsing: "clips/walking") == .frames(path: "clips/walking"))
    }

    @Test func frameFolderIsSplitIntoWindowsWithoutSharedFrames() throws {
        let folder = try frameFolder(frames: 20)
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = DataSource.Options(sequenceLength: 4, trainCount: 0, testCount: 0, seed: 1,
                                         transform: FrameTransform(channels: 1))
        let splits = try DataSource.frames(path: folder.path).datasets(options)
        let (train, test) = (splits.train, splits.test)
        // 16 training frames (natural order: frame2 before frame10) → 13 windows; 4 test frames →
        // 1; their last eighth (2 frames) holds no 4-frame window, so no validation part.
        #expect(train.count == 13 && test.count == 1 && splits.validation == nil)
        let first = try train.sequence(at: 0)
        #expect(first.shape == [4, 8, 8, 1])
        #expect(abs(first[1, 0, 0, 0] - 10 / 255) < 1e-6)
        let testSequence = try test.sequence(at: 0)
        #expect(abs(testSequence[0, 0, 0, 0] - 160 / 255) < 1e-6)
    }

    @Test func longFramesGiveAValidationPartBetweenTrainingAndTest() throws {
        let folder = try frameFolder(frames: 24)
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = DataSource.Options(sequenceLength: 2, trainCount: 0, testCount: 0, seed: 1,
                                         transform: FrameTransform(channels: 1))
        let splits = try DataSource.frames(path: folder.path).datasets(options)
        // Frames 0–16 train (16 windows), 17–18 validate (1), 19–23 test (2): none shared.
        let validation = try #require(splits.validation)
        #expect(splits.train.count == 16 && validation.count == 1 && splits.test.count == 2)
        func frameNumber(_ sequence: Tensor, _ t: Int) -> Float { sequence[t, 0, 0, 0] * 255 / 10 }
        #expect(abs(frameNumber(try splits.train.sequence(at: 15), 1) - 16) < 1e-3)
        #expect(abs(frameNumber(try validation.sequence(at: 0), 0) - 17) < 1e-3)
        #expect(abs(frameNumber(try splits.test.sequence(at: 0), 0) - 19) < 1e-3)
    }

    @Test func framesOfDifferentSizesNameTheFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-seqs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let small = try frameFolder(frames: 3, sizeOf: { _ in 8 })
        let large = try frameFolder(frames: 3, sizeOf: { _ in 12 })
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: small, to: root.appendingPathComponent("a"))
        try FileManager.default.moveItem(at: large, to: root.appendingPathComponent("b"))
        let options = DataSource.Options(sequenceLength: 2, trainCount: 0, testCount: 0, seed: 1,
                                         transform: FrameTransform(channels: 1))
        #expect {
            _ = try DataSource.frames(path: root.path).datasets(options)
        } throws: { error in
            "\(error)".contains("/b") && "\(error)".contains("--resize")
        }
        // Resizing makes them agree: one folder trains, the other tests.
        let resized = DataSource.Options(sequenceLength: 2, trainCount: 0, testCount: 0, seed: 1,
                                         transform: FrameTransform(channels: 1, resize: (8, 8)))
        let splits = try DataSource.frames(path: root.path).datasets(resized)
        #expect(splits.train.count == 2 && splits.test.count == 1 && splits.validation == nil)
    }

    @Test func missingPathIsAClearError() {
        let options = DataSource.Options(sequenceLength: 2, trainCount: 0, testCount: 0, seed: 1)
        #expect {
            _ = try DataSource.frames(path: "/nonexistent/frames").datasets(options)
        } throws: { error in
            "\(error)".contains("/nonexistent/frames") && "\(error)".contains("no such file")
        }
    }

    @Test(.requires(.mlxtendDigits)) func generatorsGiveDisjointTrainValidationAndTest() throws {
        let options = DataSource.Options(sequenceLength: 6, trainCount: 4, testCount: 2, validationCount: 3, seed: 3)
        for source in [DataSource.radar, .vmnist(digits: nil)] {
            let splits = try source.datasets(options)
            let validation = try #require(splits.validation)
            #expect(splits.train.count == 4 && validation.count == 3 && splits.test.count == 2)
            #expect(splits.train.sequenceLength == 6)
            let firsts = try [splits.train, validation, splits.test].map { try $0.sequence(at: 0).scalars }
            #expect(Set(firsts).count == 3)
        }
    }

    /// Every run is scored on the same validation and test sequences, whatever its seed; the
    /// seed changes only what it trains on.
    @Test(.requires(.mlxtendDigits)) func heldOutSequencesDoNotDependOnTheRunsSeed() throws {
        func splits(_ source: DataSource, seed: UInt64) throws -> DataSource.Splits {
            try source.datasets(DataSource.Options(sequenceLength: 4, trainCount: 2, testCount: 2,
                                                   validationCount: 2, seed: seed))
        }
        for source in [DataSource.radar, .vmnist(digits: nil)] {
            let (one, two) = (try splits(source, seed: 1), try splits(source, seed: 2))
            #expect(try one.test.sequence(at: 1).scalars == two.test.sequence(at: 1).scalars)
            let (validationOne, validationTwo) = (try #require(one.validation), try #require(two.validation))
            #expect(try validationOne.sequence(at: 1).scalars == validationTwo.sequence(at: 1).scalars)
            #expect(try one.train.sequence(at: 1).scalars != two.train.sequence(at: 1).scalars)
        }
    }
}
