import Engine
import Foundation

/// Draws `[B, T, H, W, C]` batches from a dataset, epoch by epoch. Each epoch visits the
/// sequences in an order fixed by (seed, epoch) alone — a Fisher–Yates shuffle driven by
/// `RandomGenerator(seed:)` — so a run is reproducible, and resuming from `state` continues
/// exactly where it stopped without replaying the batches before.
public struct BatchSampler: Sendable {
    /// Where the sampler stands: the epoch and the number of its batches already drawn.
    public struct State: Codable, Equatable, Sendable {
        public var epoch: Int
        public var batchInEpoch: Int

        public init(epoch: Int, batchInEpoch: Int) {
            self.epoch = epoch
            self.batchInEpoch = batchInEpoch
        }
    }

    public let dataset: any SequenceDataset
    public let batchSize: Int
    public let seed: UInt64
    public let shuffle: Bool
    /// Drop the last partial batch of an epoch (training); keep it when false (evaluation).
    public let dropLast: Bool
    public private(set) var state = State(epoch: 0, batchInEpoch: 0)
    /// The current epoch's visiting order.
    private var order: [Int]

    public init(dataset: any SequenceDataset, batchSize: Int, seed: UInt64, shuffle: Bool = true,
                dropLast: Bool = true) {
        precondition(batchSize >= 1, "BatchSampler: batch size \(batchSize) must be ≥ 1")
        precondition(!dropLast || dataset.count >= batchSize,
                     "BatchSampler: \(dataset.count) sequences cannot fill one batch of \(batchSize)")
        precondition(dataset.count > 0, "BatchSampler: the dataset is empty")
        self.dataset = dataset
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
        self.dropLast = dropLast
        order = []
        order = order(forEpoch: 0)
    }

    public var batchesPerEpoch: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The order in which `epoch` visits the sequences.
    public func order(forEpoch epoch: Int) -> [Int] {
        var order = Array(0..<dataset.count)
        guard shuffle else { return order }
        var generator = RandomGenerator(seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            // Multiply-high maps 64 random bits onto 0...i (bias below 2⁻⁴⁰ for any real size).
            let j = Int(UInt64(i + 1).multipliedFullWidth(by: generator.next()).high)
            order.swapAt(i, j)
        }
        return order
    }

    /// The sequence indices of the next batch, advancing the sampler (to the next epoch when
    /// this one is used up).
    public mutating func nextIndices() -> [Int] {
        if state.batchInEpoch >= batchesPerEpoch {
            state = State(epoch: state.epoch + 1, batchInEpoch: 0)
            order = order(forEpoch: state.epoch)
        }
        let start = state.batchInEpoch * batchSize
        state.batchInEpoch += 1
        return Array(order[start..<min(start + batchSize, order.count)])
    }

    /// The next batch, `[B, T, H, W, C]` (B may be smaller at an epoch's end when !dropLast).
    public mutating func next() throws -> Tensor {
        try Self.batch(of: dataset, indices: nextIndices())
    }

    /// Continues from a saved `state`.
    public mutating func restore(_ saved: State) {
        precondition(saved.epoch >= 0 && saved.batchInEpoch >= 0
                     && saved.batchInEpoch <= batchesPerEpoch,
                     "BatchSampler.restore: state \(saved) does not fit \(batchesPerEpoch) batches per epoch")
        state = saved
        order = order(forEpoch: saved.epoch)
    }

    /// Stacks the given sequences into `[n, T, H, W, C]`, producing them on all cores.
    public static func batch(of dataset: any SequenceDataset, indices: [Int]) throws -> Tensor {
        let shape = [dataset.sequenceLength] + dataset.frameShape
        let perSequence = shape.reduce(1, *)
        let failure = FirstError()
        let out = Tensor(shape: [indices.count] + shape) { out in
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let destination = out.baseAddress!
            Parallel.forEach(indices.count) { k in
                do {
                    let sequence = try dataset.sequence(at: indices[k])
                    Shape.check("BatchSampler.batch", sequence.shape, equals: shape,
                                "sequence \(indices[k])")
                    (destination + k * perSequence).update(from: sequence.pointer, count: perSequence)
                } catch {
                    // The failed sequence's elements stay unwritten: the error below discards the tensor.
                    failure.record(error)
                }
            }
        }
        if let error = failure.error { throw error }
        return out
    }
}

/// Keeps the first error thrown by concurrent work. Sendable by hand: the lock guards `stored`.
private final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?

    func record(_ error: Error) {
        lock.lock()
        if stored == nil { stored = error }
        lock.unlock()
    }

    var error: Error? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
