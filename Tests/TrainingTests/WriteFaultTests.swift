import Engine
import Foundation
import Testing
import TestSupport
@testable import Training

/// A checkpoint written into a full disk or a read-only folder fails with an error naming the
/// file and the cause, leaves no file a resume would take for a checkpoint, and keeps the last
/// good checkpoint loadable. A small tmpfs plays the disk.
@Suite(.serialized, .requires(.tmpfsMounts)) struct WriteFaultTests {
    func mountedDisk(bytes: Int) throws -> (TemporaryMount, URL) {
        let folder = try temporaryDirectory()
        return (try TemporaryMount(at: folder, bytes: bytes), folder)
    }

    /// A trainer checkpointing into `folder`, one iteration in, with checkpoint 1 written.
    func trainerWithACheckpoint(in folder: URL) throws -> Trainer {
        let trainer = try Trainer(configuration: tinyTraining(iterations: 3), batches: MovingSquareSource(seed: 5),
                                  checkpointDirectory: folder, progress: silent())
        try trainer.run(until: 1)
        try trainer.saveCheckpoint()
        return trainer
    }

    @Test func fullDiskKeepsTheLastGoodCheckpoint() throws {
        let (disk, folder) = try mountedDisk(bytes: 256 * 1024)
        defer { disk.unmount(); try? FileManager.default.removeItem(at: folder) }
        let trainer = try trainerWithACheckpoint(in: folder)
        // Fill what is left of the disk.
        let filler = folder.appendingPathComponent("filler")
        _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
        let handle = try FileHandle(forWritingTo: filler)
        let block = Data(count: 4096)
        while (try? handle.write(contentsOf: block)) != nil {}
        try? handle.close()

        try trainer.run(until: 2)
        #expect {
            try trainer.saveCheckpoint()
        } throws: { error in
            "\(error)".contains("checkpoint-2") && "\(error)".contains("No space left")
        }
        let store = CheckpointStore(directory: folder)
        #expect(try store.completeIterations() == [1])
        #expect(try store.loadNewest().state.iteration == 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test func readOnlyFolderKeepsTheLastGoodCheckpoint() throws {
        let (disk, folder) = try mountedDisk(bytes: 1024 * 1024)
        defer { disk.unmount(); try? FileManager.default.removeItem(at: folder) }
        let trainer = try trainerWithACheckpoint(in: folder)
        try disk.makeReadOnly()
        try trainer.run(until: 2)
        #expect {
            try trainer.saveCheckpoint()
        } throws: { error in
            "\(error)".contains(folder.path) && "\(error)".contains("Read-only file system")
        }
        #expect(try CheckpointStore(directory: folder).loadNewest().state.iteration == 1)
    }
}
