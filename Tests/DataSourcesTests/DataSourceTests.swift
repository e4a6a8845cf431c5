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
        #expect(try DataSource(parsing: "vmnist") == .vmnist)
        #expect(try DataSource(parsing: "radar") == .radar)
        #expect(try DataSource(parsing: "/data/mnist_test_seq.npy") == .movingMNIST(path: "/data/mnist_test_seq.npy"))
        #expect(try DataSource(parsing: "clips/walking") == .frames(path: "clips/walking"))
    }

    @Test func frameFolderIsSplitIntoWindowsWithoutSharedFrames() throws {
        let folder = try frameFolder(frames: 20)
        defer { try? FileManager.default.removeItem(at: folder) }
        let options = DataSource.Options(sequenceLength: 4, trainCount: 0, testCount: 0, seed: 1,
                                         transform: FrameTransform(channels: 1))
        let (train, test) = try DataSource.frames(path: folder.path).datasets(options)
        // 16 training frames (natural order: frame2 before frame10) → 13 windows; 4 test frames → 1.
        #expect(train.count == 13 && test.count == 1)
        let first = try train.sequence(at: 0)
        #expect(first.shape == [4, 8, 8, 1])
        #expect(abs(first[1, 0, 0, 0] - 10 / 255) < 1e-6)
        let testSequence = try test.sequence(at: 0)
        #expect(abs(testSequence[0, 0, 0, 0] - 160 / 255) < 1e-6)
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
        let (train, test) = try DataSource.frames(path: root.path).datasets(resized)
        #expect(train.count == 2 && test.count == 1)
    }

    @Test func missingPathIsAClearError() {
        let options = DataSource.Options(sequenceLength: 2, trainCount: 0, testCount: 0, seed: 1)
        #expect {
            _ = try DataSource.frames(path: "/nonexistent/frames").datasets(options)
        } throws: { error in
            "\(error)".contains("/nonexistent/frames") && "\(error)".contains("no such file")
        }
    }

    @Test func generatorsGiveDisjointTrainAndTest() throws {
        let options = DataSource.Options(sequenceLength: 6, trainCount: 4, testCount: 2, seed: 3)
        let (train, test) = try DataSource.radar.datasets(options)
        #expect(train.count == 4 && test.count == 2 && train.sequenceLength == 6)
        #expect(try train.sequence(at: 0).scalars != test.sequence(at: 0).scalars)
        let (vTrain, vTest) = try DataSource.vmnist.datasets(options)
        #expect(vTrain.frameShape == [64, 64, 1] && vTest.count == 2)
    }
}
