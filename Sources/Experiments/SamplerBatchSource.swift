import Datasets
import Engine
import Training

/// Training batches drawn by a `BatchSampler` (shuffled per epoch), resumable: its position is
/// saved in checkpoints so a resumed run sees exactly the batches the uninterrupted run would.
public struct SamplerBatchSource: ResumableBatchSource {
    public private(set) var sampler: BatchSampler

    public init(_ sampler: BatchSampler) { self.sampler = sampler }

    public mutating func nextBatch() throws -> Tensor { try sampler.next() }

    public var state: [UInt64] {
        [UInt64(sampler.state.epoch), UInt64(sampler.state.batchInEpoch)]
    }

    public mutating func restore(_ state: [UInt64]) throws {
        guard state.count == 2, state[1] <= UInt64(sampler.batchesPerEpoch) else {
            throw ExperimentError(
                "the checkpoint's batch position \(state) does not fit this data (\(sampler.batchesPerEpoch) batches per epoch)")
        }
        sampler.restore(BatchSampler.State(epoch: Int(state[0]), batchInEpoch: Int(state[1])))
    }
}
