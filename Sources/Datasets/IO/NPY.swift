import Foundation

/// A NumPy `.npy` array: its element type, shape and raw row-major bytes (not yet converted).
/// Reading checks the header and the size; converting to Float happens per slice, so a large
/// memory-mapped file (Moving MNIST's 800 MB test set) is never copied whole.
public struct NPYArray: Sendable {
    public enum DType: String, Sendable, CaseIterable {
        case bool = "b1", uint8 = "u1", int8 = "i1", uint16 = "u2", int16 = "i2"
        case uint32 = "u4", int32 = "i4", uint64 = "u8", int64 = "i8"
        case float16 = "f2", float32 = "f4", float64 = "f8"

        public var byteSize: Int { Int(String(rawValue.dropFirst()))! }
        public var isFloat: Bool { rawValue.hasPrefix("f") }
    }

    public let path: String
    public let dtype: DType
    public let shape: [Int]
    /// Whether multi-byte elements are stored big-endian ('>' in the descr).
    public let bigEndian: Bool
    /// Exactly `count × dtype.byteSize` bytes of element data.
    let payload: Data

    public var count: Int { shape.reduce(1, *) }

    public static func read(from url: URL) throws -> NPYArray {
        try parse(FileBytes.read(url), path: url.path)
    }

    /// Parses a complete `.npy` image (a file, or a zip member).
    public static func parse(_ data: Data, path: String) throws -> NPYArray {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        let bytes = data.startIndex
        guard data.count >= 10 else {
            if data.count >= 6, Array(data.prefix(6)) != magic {
                throw DatasetError(path: path, .badMagic("NumPy .npy"))
            }
            throw DatasetError(path: path, .truncated(expected: 10, actual: data.count))
        }
        guard Array(data.prefix(6)) == magic else {
            throw DatasetError(path: path, .badMagic("NumPy .npy"))
        }
        let major = data[bytes + 6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(data[bytes + 8]) | Int(data[bytes + 9]) << 8
            headerStart = 10
        case 2, 3:
            guard data.count >= 12 else {
                throw DatasetError(path: path, .truncated(expected: 12, actual: data.count))
            }
            headerLength = (0..<4).reduce(0) { $0 | Int(data[bytes + 8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw DatasetError(path: path, .invalidHeader("unknown format version \(major)"))
        }
        let payloadStart = headerStart + headerLength
        guard data.count >= payloadStart else {
            throw DatasetError(path: path, .truncated(expected: payloadStart, actual: data.count))
        }
        let headerText = String(decoding: data[(bytes + headerStart)..<(bytes + payloadStart)],
                                as: UTF8.self)
        let (dtype, bigEndian, shape) = try parseHeader(headerText, path: path)

        let (count, overflow) = shape.reduce((1, false)) { acc, n in
            let (p, o) = acc.0.multipliedReportingOverflow(by: n)
            return (p, acc.1 || o)
        }
        let (byteCount, overflow2) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, !overflow2 else {
            throw DatasetError(path: path, .invalidHeader("shape \(shape) is too large"))
        }
        let available = data.count - payloadStart
        guard available >= byteCount else {
            throw DatasetError(path: path, .truncated(expected: payloadStart + byteCount,
                                                       actual: data.count))
        }
        guard available == byteCount else {
            throw DatasetError(path: path, .malformed(
                "\(available - byteCount) bytes after the array data (header shape \(shape))"))
        }
        return NPYArray(path: path, dtype: dtype, shape: shape, bigEndian: bigEndian,
                        payload: data[(bytes + payloadStart)...])
    }

    private static func parseHeader(_ text: String, path: String) throws
        -> (DType, Bool, [Int]) {
        let literal: PythonLiteral
        do {
            literal = try PythonLiteral.parse(text)
        } catch let error as PythonLiteral.ParseError {
            throw DatasetError(path: path, .invalidHeader(error.reason))
        }
        guard case .dictionary(let entries) = literal else {
            throw DatasetError(path: path, .invalidHeader("not a dictionary"))
        }
        func entry(_ key: String) throws -> PythonLiteral {
            guard let value = entries.first(where: { $0.0 == key })?.1 else {
                throw DatasetError(path: path, .invalidHeader("no '\(key)' key"))
            }
            return value
        }
        guard case .string(let descr) = try entry("descr") else {
            throw DatasetError(path: path, .unsupportedDType("(structured dtype)"))
        }
        guard case .boolean(let fortran) = try entry("fortran_order") else {
            throw DatasetError(path: path, .invalidHeader("'fortran_order' is not True/False"))
        }
        guard !fortran else {
            throw DatasetError(path: path, .invalidHeader(
                "fortran_order is True; save the array in C order (np.ascontiguousarray)"))
        }
        guard case .sequence(let dims) = try entry("shape") else {
            throw DatasetError(path: path, .invalidHeader("'shape' is not a tuple"))
        }
        var shape: [Int] = []
        for dim in dims {
            guard case .integer(let n) = dim, n >= 0 else {
                throw DatasetError(path: path, .invalidHeader("bad shape \(dims)"))
            }
            shape.append(n)
        }
        // descr: byte order ('<' '>' '|' '='), kind and size, e.g. '<f4', '|u1'.
        guard let order = descr.first, "<>|=".contains(order),
              let dtype = DType(rawValue: String(descr.dropFirst())) else {
            throw DatasetError(path: path, .unsupportedDType("'\(descr)'"))
        }
        return (dtype, order == ">" && dtype.byteSize > 1, shape)
    }

    // MARK: Conversion

    /// Converts elements `start ..< start+count` (row-major) to Float, divided by `divisor`
    /// (a true division, so that byte 51 / 255 is exactly Float(51) / 255).
    public func copyFloats(from start: Int, count n: Int, into out: UnsafeMutablePointer<Float>,
                           dividingBy divisor: Float = 1) {
        precondition(start >= 0 && n >= 0 && start + n <= count,
                     "NPYArray.copyFloats: elements \(start)..<\(start + n) outside \(count)")
        payload.withUnsafeBytes { raw in
            let base = raw.baseAddress! + start * dtype.byteSize
            func convert<T>(_: T.Type, _ f: (T) -> Float) {
                for i in 0..<n {
                    out[i] = f(base.loadUnaligned(fromByteOffset: i &* MemoryLayout<T>.size,
                                                  as: T.self)) / divisor
                }
            }
            let swap = bigEndian
            switch dtype {
            case .bool, .uint8:
                let bytes = base.assumingMemoryBound(to: UInt8.self)
                let table = (0..<256).map { Float($0) / divisor }
                table.withUnsafeBufferPointer { table in
                    for i in 0..<n { out[i] = table[Int(bytes[i])] }
                }
            case .int8: convert(Int8.self) { Float($0) }
            case .uint16: convert(UInt16.self) { Float(swap ? $0.byteSwapped : $0) }
            case .int16: convert(Int16.self) { Float(swap ? $0.byteSwapped : $0) }
            case .uint32: convert(UInt32.self) { Float(swap ? $0.byteSwapped : $0) }
            case .int32: convert(Int32.self) { Float(swap ? $0.byteSwapped : $0) }
            case .uint64: convert(UInt64.self) { Float(swap ? $0.byteSwapped : $0) }
            case .int64: convert(Int64.self) { Float(swap ? $0.byteSwapped : $0) }
            case .float16:
                convert(UInt16.self) { Float(Float16(bitPattern: swap ? $0.byteSwapped : $0)) }
            case .float32:
                if !swap && divisor == 1 {
                    UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: n * 4)
                } else {
                    convert(UInt32.self) { Float(bitPattern: swap ? $0.byteSwapped : $0) }
                }
            case .float64:
                convert(UInt64.self) { Float(Double(bitPattern: swap ? $0.byteSwapped : $0)) }
            }
        }
    }

    /// All elements as Float.
    public func floats() -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { copyFloats(from: 0, count: count, into: buffer.baseAddress!) }
            initialized = count
        }
    }

    /// All elements as Int (for small integer arrays such as PredRNN's `clips` and `dims`).
    public func integers() throws -> [Int] {
        guard !dtype.isFloat else {
            throw DatasetError(path: path, .unsupportedDType("'\(dtype.rawValue)' (needs integers)"))
        }
        return floats().map { Int($0) }
    }

    /// Throws `.nonFinite` at the first NaN or ±Inf of a float array (integers always pass).
    public func checkFinite() throws {
        guard dtype.isFloat else { return }
        var buffer = [Float](repeating: 0, count: 1 << 16)
        var start = 0
        while start < count {
            let n = min(buffer.count, count - start)
            buffer.withUnsafeMutableBufferPointer { copyFloats(from: start, count: n, into: $0.baseAddress!) }
            for i in 0..<n where !buffer[i].isFinite {
                throw DatasetError(path: path, .nonFinite(index: start + i))
            }
            start += n
        }
    }

    // MARK: Writing

    /// A `.npy` image (format 1.0) of the given header fields and raw element bytes; the header
    /// is padded so that the data starts on a 64-byte boundary, as NumPy does.
    public static func encode(descr: String, shape: [Int], payload: Data,
                              fortranOrder: Bool = false) -> Data {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), "
            + "'shape': (\(dims)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(payload)
        return data
    }

    /// A little-endian float32 `.npy` image of `values` in `shape`.
    public static func encode(float32 values: [Float], shape: [Int]) -> Data {
        precondition(values.count == shape.reduce(1, *),
                     "NPYArray.encode: \(values.count) values do not fill shape \(shape)")
        let payload = values.withUnsafeBytes { Data($0) }
        return encode(descr: "<f4", shape: shape, payload: payload)
    }

    /// A uint8 `.npy` image of `values` in `shape`.
    public static func encode(uint8 values: [UInt8], shape: [Int]) -> Data {
        precondition(values.count == shape.reduce(1, *),
                     "NPYArray.encode: \(values.count) values do not fill shape \(shape)")
        return encode(descr: "|u1", shape: shape, payload: Data(values))
    }
}
