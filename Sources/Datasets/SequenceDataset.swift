import Engine

/// A finite, indexable collection of frame sequences. A sequence is a `Tensor [T, H, W, C]` with
/// values in [0, 1] (SPEC §1); `BatchSampler` stacks them into `[B, T, H, W, C]` batches.
/// Implementations must give the same sequence for the same index every time (generators
/// derive their randomness from a seed and the index), and be safe to call from several threads.
public protocol SequenceDataset: Sendable {
    /// Number of sequences.
    var count: Int { get }
    /// Frames per sequence (`T`); every sequence of the dataset has this length.
    var sequenceLength: Int { get }
    /// `[H, W, C]` of every frame.
    var frameShape: [Int] { get }
    /// Sequence `index` (0 ..< count) as `[T, H, W, C]`, values in [0, 1].
    func sequence(at index: Int) throws -> Tensor
}

extension SequenceDataset {
    /// Elements per sequence, `T·H·W·C`.
    public var sequenceElementCount: Int { sequenceLength * frameShape.reduce(1, *) }

    /// Precondition helper for implementations.
    func checkIndex(_ index: Int, _ op: String) {
        precondition(index >= 0 && index < count, "\(op): sequence \(index) outside 0..<\(count)")
    }
}

/// A source of long sequences of differing lengths (a video, a folder of frames, a long
/// Moving MNIST clip): `SlidingWindows` cuts fixed-length training sequences out of it.
public protocol LongSequenceSource: Sendable {
    /// Number of long sequences.
    var count: Int { get }
    /// `[H, W, C]` of every frame.
    var frameShape: [Int] { get }
    /// Frames in long sequence `index`.
    func length(ofSequence index: Int) -> Int
    /// The given frames (indices into the long sequence, in this order) as `[n, H, W, C]`.
    func frames(_ frameIndices: [Int], ofSequence index: Int) throws -> Tensor
}

/// Sequences held in memory: one `[N, T, H, W, C]` tensor (tests, small data sets, data another
/// reader has already decoded).
public struct InMemorySequences: SequenceDataset {
    public let sequences: Tensor

    public init(_ sequences: Tensor) {
        Shape.check("InMemorySequences", sequences.shape, rank: 5)
        self.sequences = sequences
    }

    public var count: Int { sequences.shape[0] }
    public var sequenceLength: Int { sequences.shape[1] }
    public var frameShape: [Int] { Array(sequences.shape[2...]) }

    public func sequence(at index: Int) throws -> Tensor {
        checkIndex(index, "InMemorySequences.sequence(at:)")
        let n = sequenceElementCount
        return Tensor(shape: Array(sequences.shape.dropFirst())) {
            $0.baseAddress!.update(from: sequences.pointer + index * n, count: n)
        }
    }
}

/// Any dataset's sequences as long sequences, so that `SlidingWindows` can also cut shorter
/// windows (or strided ones) out of fixed-length sequences, such as Moving MNIST's 20 frames.
public struct LongSequences<Base: SequenceDataset>: LongSequenceSource {
    public let base: Base

    public init(_ base: Base) {
        self.base = base
    }

    public var count: Int { base.count }
    public var frameShape: [Int] { base.frameShape }
    public func length(ofSequence index: Int) -> Int { base.sequenceLength }

    public func frames(_ frameIndices: [Int], ofSequence index: Int) throws -> Tensor {
        let sequence = try base.sequence(at: index)
        let frame = frameShape.reduce(1, *)
        return Tensor(shape: [frameIndices.count] + frameShape) { out in
            for (k, t) in frameIndices.enumerated() {
                precondition(t >= 0 && t < base.sequenceLength,
                             "LongSequences.frames: frame \(t) outside 0..<\(base.sequenceLength)")
                (out.baseAddress! + k * frame).update(from: sequence.pointer + t * frame, count: frame)
            }
        }
    }
}
