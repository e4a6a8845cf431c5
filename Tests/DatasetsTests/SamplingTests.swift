import Datasets
import Engine
import Foundation
import Testing

/// `count` sequences of `length` 1×1 frames whose value is `index·100 + frame`.
private func numbered(count: Int, length: Int) -> InMemorySequences {
    var values: [Float] = []
    for i in 0..<count { for t in 0..<length { values.append(Float(i * 100 + t)) } }
    return InMemorySequences(Tensor(shape: [count, length, 1, 1, 1], scalars: values))
}

/// Long sequences of differing lengths, frame value `index·1000 + frame`.
private struct Ragged: LongSequenceSource {
    let lengths: [Int]
    var count: Int { lengths.count }
    var frameShape: [Int] { [1, 2, 1] }
    func length(ofSequence index: Int) -> Int { lengths[index] }
    func frames(_ frameIndices: [Int], ofSequence index: Int) throws -> Tensor {
        Tensor(shape: [frameIndices.count, 1, 2, 1],
               scalars: frameIndices.flatMap { [Float(index * 1000 + $0), -1] })
    }
}

@Suite struct BatchSamplerTests {
    @Test func batchesAreDeterministicAndCoverEachEpoch() throws {
        let data = numbered(count: 10, length: 3)
        var a = BatchSampler(dataset: data, batchSize: 3, seed: 7)
        var b = BatchSampler(dataset: data, batchSize: 3, seed: 7)
        var c = BatchSampler(dataset: data, batchSize: 3, seed: 8)
        #expect(a.batchesPerEpoch == 3)  // the 10th sequence is dropped each epoch
        var epochs: [[Int]] = []
        for _ in 0..<4 {
            var seen: [Int] = []
            for _ in 0..<3 {
                let indices = a.nextIndices()
                #expect(indices == b.nextIndices())
                seen += indices
            }
            #expect(Set(seen).count == 9)  // no repeats within an epoch
            epochs.append(seen)
        }
        #expect(Set(epochs.map { $0 }).count == 4)  // every epoch has its own order
        #expect(a.state == BatchSampler.State(epoch: 3, batchInEpoch: 3))
        // Another seed, another order.
        #expect((0..<3).flatMap { _ in c.nextIndices() } != epochs[0])
        // Over epochs every sequence is visited.
        #expect(Set(epochs.joined()) == Set(0..<10))
    }

    @Test func batchHoldsTheRightSequences() throws {
        let data = numbered(count: 5, length: 4)
        var sampler = BatchSampler(dataset: data, batchSize: 2, seed: 1)
        let order = sampler.order(forEpoch: 0)
        let batch = try sampler.next()
        #expect(batch.shape == [2, 4, 1, 1, 1])
        #expect(batch.scalars == order.prefix(2).flatMap { i in (0..<4).map { Float(i * 100 + $0) } })
    }

    @Test func evaluationOrderKeepsEverything() throws {
        let data = numbered(count: 5, length: 2)
        var sampler = BatchSampler(dataset: data, batchSize: 2, seed: 0, shuffle: false, dropLast: false)
        #expect(sampler.batchesPerEpoch == 3)
        #expect(sampler.nextIndices() == [0, 1])
        #expect(sampler.nextIndices() == [2, 3])
        let last = try sampler.next()
        #expect(last.shape == [1, 2, 1, 1, 1])
        #expect(last.scalars == [400, 401])
        #expect(sampler.nextIndices() == [0, 1])  // next epoch, same order
    }

    @Test func restoringStateContinuesExactly() {
        let data = numbered(count: 12, length: 1)
        var running = BatchSampler(dataset: data, batchSize: 4, seed: 3)
        for _ in 0..<5 { _ = running.nextIndices() }
        let saved = running.state
        let expected = (0..<7).map { _ in running.nextIndices() }
        // A new sampler (as after a restart) restored from the saved state.
        var resumed = BatchSampler(dataset: data, batchSize: 4, seed: 3)
        resumed.restore(saved)
        #expect((0..<7).map { _ in resumed.nextIndices() } == expected)
        // The state survives JSON (the checkpoint format).
        let json = try! JSONEncoder().encode(saved)
        #expect(try! JSONDecoder().decode(BatchSampler.State.self, from: json) == saved)
    }

    @Test func errorsOfTheDatasetReachTheCaller() {
        struct Failing: SequenceDataset {
            var count: Int { 4 }
            var sequenceLength: Int { 1 }
            var frameShape: [Int] { [1, 1, 1] }
            func sequence(at index: Int) throws -> Tensor {
                if index == 2 { throw DatasetError(path: "seq2.npy", .fileNotFound) }
                return Tensor(zeros: [1, 1, 1, 1])
            }
        }
        expectDatasetError(.fileNotFound, pathContains: "seq2.npy") {
            _ = try BatchSampler.batch(of: Failing(), indices: [0, 1, 2, 3])
        }
    }
}

@Suite struct SlidingWindowsTests {
    @Test func windowCountFollowsTheFormula() {
        // 20 frames, windows of 5 with stride 2 span 9 frames: starts 0…11, step 3 → 0,3,6,9.
        #expect(SlidingWindows<Ragged>.windowCount(length: 20, windowLength: 5, frameStride: 2, windowStep: 3) == 4)
        #expect(SlidingWindows<Ragged>.windowCount(length: 9, windowLength: 5, frameStride: 2, windowStep: 3) == 1)
        #expect(SlidingWindows<Ragged>.windowCount(length: 8, windowLength: 5, frameStride: 2, windowStep: 3) == 0)
        #expect(SlidingWindows<Ragged>.windowCount(length: 10, windowLength: 10, frameStride: 1, windowStep: 1) == 1)
    }

    @Test func windowsOfRaggedSequences() throws {
        // Lengths 12, 3 (too short: no window), 9; windows of 4 frames, stride 2, step 2.
        let windows = SlidingWindows(Ragged(lengths: [12, 3, 9]), windowLength: 4, frameStride: 2,
                                     windowStep: 2)
        // Span 7: sequence 0 starts 0, 2, 4 (3 windows); sequence 2 starts 0, 2 (2 windows).
        #expect(windows.count == 5)
        #expect(windows.sequenceLength == 4 && windows.frameShape == [1, 2, 1])
        let expected: [(Int, [Int])] = [(0, [0, 2, 4, 6]), (0, [2, 4, 6, 8]), (0, [4, 6, 8, 10]),
                                         (2, [0, 2, 4, 6]), (2, [2, 4, 6, 8])]
        for (k, (sequence, frames)) in expected.enumerated() {
            let location = windows.location(of: k)
            #expect(location.sequence == sequence && location.frames == frames)
            let window = try windows.sequence(at: k)
            #expect(window.shape == [4, 1, 2, 1])
            #expect(window.scalars == frames.flatMap { [Float(sequence * 1000 + $0), -1] })
        }
    }

    @Test func windowsOverFixedLengthSequencesFeedTheSampler() throws {
        // Moving-MNIST-like 20-frame sequences cut into 10-frame windows, every 5 frames.
        let data = numbered(count: 3, length: 20)
        let windows = SlidingWindows(LongSequences(data), windowLength: 10, windowStep: 5)
        #expect(windows.count == 9)
        let window = try windows.sequence(at: 4)  // sequence 1, frames 5…14
        #expect(window.scalars == (5..<15).map { Float(100 + $0) })
        var sampler = BatchSampler(dataset: windows, batchSize: 3, seed: 2)
        #expect(try sampler.next().shape == [3, 10, 1, 1, 1])
    }
}
