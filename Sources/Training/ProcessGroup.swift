/// The processes of a synchronous data-parallel run (one per MPI rank): each trains on its
/// shard of every global batch, and the gradients are summed across all of them before the
/// same optimiser step is taken everywhere. The Training target knows only this protocol; the
/// Distributed target implements it over MPI.
public protocol ProcessGroup: AnyObject {
    /// This process, 0 ..< size; rank 0 alone writes checkpoints, logs and reports.
    var rank: Int { get }
    var size: Int { get }
    /// Sums `count` floats at `buffer` over every process, in place (all must call it).
    func allReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int)
    /// Sums doubles over every process, in place.
    func allReduceSum(_ values: inout [Double])
    /// The largest `value` over every process.
    func allReduceMax(_ value: Int) -> Int
}

extension ProcessGroup {
    /// The sequences of a global batch of `batchSize` this process trains on: contiguous, sizes
    /// differing by at most one (rank r gets the r-th part).
    public func shard(ofBatch batchSize: Int) -> Range<Int> {
        let base = batchSize / size, extra = batchSize % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }
}
