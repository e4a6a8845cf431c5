import Foundation

/// Scratch memory kept per thread and reused from call to call. Kernels that need megabytes of
/// workspace on every call (the Winograd convolutions) would otherwise get fresh pages from the
/// kernel each time, and the page faults cost as much as a transform.
enum ThreadScratch {
    private final class Buffer {
        var pointer: UnsafeMutablePointer<Float>
        var capacity: Int
        init(_ capacity: Int) { (pointer, self.capacity) = (Self.allocate(capacity), capacity) }
        deinit { pointer.deallocate() }

        /// Cache-line aligned, as tensors are (`StoragePool`): the kernels' 32-byte vector loads
        /// then never straddle two lines (malloc aligns large blocks to 16 bytes only).
        static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
            UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
                .bindMemory(to: Float.self, capacity: count)
        }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { if let raw = $0 { Unmanaged<AnyObject>.fromOpaque(raw).release() } }
        return key
    }()

    /// At least `count` floats of this thread's scratch, uninitialised. Valid until the next
    /// call on the same thread, so a caller must not nest uses.
    static func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        if let raw = pthread_getspecific(key) {
            let buffer = Unmanaged<Buffer>.fromOpaque(raw).takeUnretainedValue()
            if buffer.capacity >= count { return buffer.pointer }
            buffer.pointer.deallocate()
            (buffer.pointer, buffer.capacity) = (Buffer.allocate(count), count)
            return buffer.pointer
        }
        let buffer = Buffer(count)
        pthread_setspecific(key, Unmanaged.passRetained(buffer as AnyObject).toOpaque())
        return buffer.pointer
    }
}
