import Foundation

/// Reuses large tensor blocks across training steps. A step allocates and frees the same
/// activation, gradient and im2col sizes every time; glibc hands blocks this large to mmap and
/// back to the kernel on free, so each reuse paid page faults and page zeroing (≈ 15 % of a
/// training step's time in the profile of `docs/PERFORMANCE.md`). Freed blocks wait here, by
/// size bucket (8 per power of two), for the next request of their bucket.
///
/// Small blocks (< 64 KiB) go straight to malloc, which recycles them well. At most
/// `capacityBytes` wait in the pool; beyond that, freed blocks go back to the system.
public enum StoragePool {
    static let minimumBytes = 64 << 10
    /// Upper bound of the memory kept for reuse (not in use by any tensor).
    static let capacityBytes = 1 << 30

    // Unchecked by the compiler, guarded by `lock`: every access below holds it.
    nonisolated(unsafe) private static var free: [Int: [UnsafeMutableRawPointer]] = [:]
    nonisolated(unsafe) private static var pooledBytes = 0
    private static let lock = NSLock()

    /// The allocation size for a request of `bytes`: rounded up to 1/8 of its power of two, so
    /// requests of similar sizes share blocks while at most 12.5 % is wasted.
    @inline(__always)
    static func bucket(_ bytes: Int) -> Int {
        guard bytes >= minimumBytes else { return bytes }
        let granule = 1 << (Int.bitWidth - bytes.leadingZeroBitCount - 1 - 3)
        return (bytes + granule - 1) & ~(granule - 1)
    }

    /// A block of `bucket(bytes)` bytes, 64-byte aligned: a pooled one when available.
    static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = bucket(bytes)
        if size >= minimumBytes {
            lock.lock()
            if let block = free[size]?.popLast() {
                pooledBytes -= size
                lock.unlock()
                return block
            }
            lock.unlock()
        }
        return UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Takes back a block from `allocate(bytes:)`.
    static func release(_ block: UnsafeMutableRawPointer, bytes: Int) {
        let size = bucket(bytes)
        if size >= minimumBytes {
            lock.lock()
            if pooledBytes + size <= capacityBytes {
                free[size, default: []].append(block)
                pooledBytes += size
                lock.unlock()
                return
            }
            lock.unlock()
        }
        block.deallocate()
    }

    /// Returns every pooled block to the system.
    public static func drain() {
        lock.lock()
        let blocks = free.values.flatMap { $0 }
        free = [:]
        pooledBytes = 0
        lock.unlock()
        for block in blocks { block.deallocate() }
    }

    /// Bytes currently waiting for reuse.
    public static var idleBytes: Int {
        lock.lock(); defer { lock.unlock() }
        return pooledBytes
    }
}
