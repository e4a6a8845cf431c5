import CMPI
import Training

/// The ranks of `MPI_COMM_WORLD` as a `ProcessGroup`. Started by `mpirun -np N`; a process
/// started directly is rank 0 of 1 (MPI's singleton start). MPI's default error handler stops
/// the whole job when a rank fails, so a collective never waits forever on a dead rank.
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int
    /// Seconds spent in all-reduce calls and floats reduced, for `bench --distributed`.
    public private(set) var reduceSeconds = 0.0
    public private(set) var reducedFloats = 0

    /// Initialises MPI (once per process; MPI cannot be initialised again after `finalize`).
    public init() throws {
        guard cmpi_is_initialized() == 0 else { throw DistributedError("MPI is already initialised in this process") }
        var rank: Int32 = 0, size: Int32 = 0
        let status = cmpi_init(&rank, &size)
        guard status == 0 else { throw DistributedError("MPI_Init_thread failed: \(Self.message(status))") }
        self.rank = Int(rank)
        self.size = Int(size)
    }

    public func allReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        let started = cmpi_wtime()
        Self.check(cmpi_allreduce_sum_float(buffer, count), "MPI_Allreduce")
        reduceSeconds += cmpi_wtime() - started
        reducedFloats += count
    }

    public func allReduceSum(_ values: inout [Double]) {
        let count = values.count
        values.withUnsafeMutableBufferPointer { Self.check(cmpi_allreduce_sum_double($0.baseAddress, count), "MPI_Allreduce") }
    }

    public func allReduceMax(_ value: Int) -> Int {
        var result = value
        Self.check(cmpi_allreduce_max_long(&result), "MPI_Allreduce")
        return result
    }

    public func barrier() { Self.check(cmpi_barrier(), "MPI_Barrier") }

    /// Ends MPI in this process (after the last collective).
    public func finalize() { _ = cmpi_finalize() }

    /// Stops every rank of the job (after an error on this one, so that no other rank waits in a
    /// collective for it).
    public func abort(code: Int32 = 1) -> Never {
        cmpi_abort(code)
        fatalError("MPI_Abort returned")
    }

    /// With MPI's default handler (errors are fatal) a failing call does not return; this
    /// catches a handler that returns instead.
    private static func check(_ status: Int32, _ call: String) {
        precondition(status == 0, "\(call) failed: \(message(status))")
    }

    private static func message(_ status: Int32) -> String {
        let capacity = Int(cmpi_max_error_string())
        var text = [CChar](repeating: 0, count: capacity + 1)
        cmpi_error_string(status, &text, Int32(capacity))
        let decoded = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return decoded.isEmpty ? "MPI error \(status)" : decoded
    }
}

/// A distributed run that cannot start or continue.
public struct DistributedError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
