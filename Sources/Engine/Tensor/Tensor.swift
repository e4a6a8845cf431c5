/// Owns one 64-byte-aligned block of Float32 values. Tensors share it; kernels write only into
/// storage they have just allocated, and the optimiser and gradient accumulation write only into
/// storage nobody else holds.
///
/// Sendable by hand: the values are written only while one thread can see them (a builder's or
/// kernel's new storage before it is returned, or `withUnsafeMutableBufferPointer` on unique
/// storage); shared storage is only read.
public final class TensorStorage: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    /// Uninitialised storage: the caller writes every element before anyone reads it.
    public init(uninitializedCount count: Int) {
        self.count = count
        // Large blocks come from (and go back to) the reuse pool: no page faults in the steady state.
        let raw = StoragePool.allocate(bytes: max(count, 1) * MemoryLayout<Float>.stride)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { StoragePool.release(UnsafeMutableRawPointer(pointer), bytes: max(count, 1) * MemoryLayout<Float>.stride) }
}

/// A dense, contiguous, row-major Float32 array. Images are NCHW, volumes NCDHW.
/// A plain value: no gradient bookkeeping (that is `Variable`'s job). Sendable by hand, as its
/// storage is (above).
public struct Tensor: @unchecked Sendable {
    public let shape: [Int]
    public private(set) var storage: TensorStorage

    public var count: Int { storage.count }
    public var rank: Int { shape.count }
    /// Read access for kernels.
    public var pointer: UnsafePointer<Float> { UnsafePointer(storage.pointer) }
    /// Write access inside Engine, only for a tensor the caller has just created and not yet
    /// shared. Other code writes through the builders (`init(shape:initializingWith:)`,
    /// `build(_:initializingWith:)`) or `withUnsafeMutableBufferPointer`.
    var mutablePointer: UnsafeMutablePointer<Float> { storage.pointer }

    /// Storage with unspecified contents; every element must be written before use (Engine's
    /// kernels only: other code gets new storage from a builder).
    init(uninitializedShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.shape = shape
        storage = TensorStorage(uninitializedCount: shape.reduce(1, *))
    }

    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    public init(repeating value: Float, shape: [Int]) {
        self.init(uninitializedShape: shape)
        storage.pointer.update(repeating: value, count: count)
    }

    public init(shape: [Int], scalars: [Float]) {
        self.init(uninitializedShape: shape)
        precondition(scalars.count == count,
                     "Tensor: \(scalars.count) values do not fill shape \(shape) (\(count) elements)")
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// A scalar as a rank-0 tensor.
    public init(_ scalar: Float) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A new tensor whose values `initialize` writes. It receives the uninitialised storage and
    /// must write every element; nobody else sees the storage until the builder returns.
    public init(shape: [Int], initializingWith initialize: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        self.init(uninitializedShape: shape)
        try initialize(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// Several new tensors written by one pass (a fused kernel with many outputs). A nil shape
    /// gives a nil buffer and a nil tensor: an output nobody needs. Same contract as the
    /// single builder: every element of every buffer is written.
    public static func build(_ shapes: [[Int]?],
                             initializingWith initialize: ([UnsafeMutableBufferPointer<Float>?]) throws -> Void)
        rethrows -> [Tensor?] {
        let tensors = shapes.map { shape in shape.map { Tensor(uninitializedShape: $0) } }
        try initialize(tensors.map { tensor in
            tensor.map { UnsafeMutableBufferPointer(start: $0.storage.pointer, count: $0.count) }
        })
        return tensors
    }

    /// Writes this tensor's values in place. Storage shared with another tensor (a reshape, a
    /// copy of the struct) is copied first, so that the other one never changes: value semantics.
    public mutating func withUnsafeMutableBufferPointer<Result>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> Result) rethrows -> Result {
        if !isKnownUniquelyReferenced(&storage) { storage = copy().storage }
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    init(shape: [Int], sharing storage: TensorStorage) {
        self.shape = shape
        self.storage = storage
    }

    public var scalars: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// The single value of a one-element tensor.
    public var scalar: Float {
        precondition(count == 1, "Tensor.scalar: shape \(shape) has \(count) elements, not 1")
        return pointer[0]
    }

    /// Same values, new shape (no copy). One dimension may be -1 and is inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: Shape.resolve(newShape, elementCount: count, op: "reshape", from: shape),
               sharing: storage)
    }

    /// A fresh copy that owns its storage.
    public func copy() -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        out.mutablePointer.update(from: pointer, count: count)
        return out
    }

    /// Whether no other tensor shares this one's storage (reshapes and copies of the struct do).
    /// The in-place writers on the hot path (the optimiser, gradient accumulation) check it in
    /// debug builds: shared storage there would mean a copy every step.
    public mutating func hasUniqueStorage() -> Bool { isKnownUniquelyReferenced(&storage) }

    public subscript(indices: Int...) -> Float {
        pointer[Shape.flatIndex(indices, in: shape)]
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor\(shape)[\(preview)\(count > 8 ? ", …" : "")]"
    }
}
