import Foundation

/// Scratch memory kept per thread and reused from call to call. Kernels that need megabytes of
/// workspace on every call (the Winograd convolutions) would otherwise get fresh pages from the
/// kernel each time, and the page faults cost as much as a transform.
enum ThreadScratch {
    private final class Buffer {
        var pointer: UnsafeMutablePointer<Float>
        var capacity: Int
        init(_ capacity: Int) { (pointer, self.capacity) = (.allocate(capacity: capacity), capacity) }
        deinit { pointer.deallocate() }
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
            (buffer.pointer, buffer.capacity) = (.allocate(capacity: count), count)
            return buffer.pointer
        }
        let buffer = Buffer(count)
        pthread_setspecific(key, Unmanaged.passRetained(buffer as AnyObject).toOpaque())
        return buffer.pointer
    }
}
