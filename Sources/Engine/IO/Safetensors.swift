import Foundation

// Tensor bytes are copied as they are in memory, and safetensors is little-endian.
#if _endian(big)
#error("SafetensorsFile assumes a little-endian host")
#endif

/// A safetensors file (the format of Hugging Face's `safetensors`, used by PyTorch exports):
/// an 8-byte little-endian header length N, N bytes of JSON
/// `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {String: String}}`,
/// then the data block, with offsets relative to its start. Reading yields Float32 tensors
/// (F64, F16, BF16 and U8 are widened/narrowed on the way in); writing stores F32.
public struct SafetensorsFile: Sendable {
    public let url: URL
    public let tensors: [String: Tensor]
    public let metadata: [String: String]

    /// The tensor called `name`; the error names the file and the missing tensor.
    public func tensor(_ name: String) throws -> Tensor {
        guard let tensor = tensors[name] else {
            throw SafetensorsError(path: url.path, .missingTensor(name))
        }
        return tensor
    }

    /// Tensor names in byte order.
    public var names: [String] { tensors.keys.sorted(by: SafetensorsFile.byteOrder) }

    // MARK: Reading

    public static func read(from url: URL) throws -> SafetensorsFile {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw SafetensorsError(path: path, .fileNotFound)
        }
        let data: Data
        do {
            // One read of the whole file; each tensor is then copied out of it once.
            data = try Data(contentsOf: url)
        } catch {
            throw SafetensorsError(path: path, .unreadable(error.localizedDescription))
        }
        let (tensors, metadata) = try parse(data, path: path)
        return SafetensorsFile(url: url, tensors: tensors, metadata: metadata)
    }

    private static func parse(_ data: Data, path: String)
        throws -> (tensors: [String: Tensor], metadata: [String: String])
    {
        func fail(_ kind: SafetensorsError.Kind) -> SafetensorsError {
            SafetensorsError(path: path, kind)
        }
        guard data.count >= 8 else { throw fail(.tooShort(fileSize: data.count)) }
        let headerLength = data.withUnsafeBytes {
            UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail(.headerTooLarge(headerLength: headerLength, fileSize: data.count))
        }
        let dataStart = 8 + Int(headerLength)
        let header = try decodeHeader(data.subdata(in: 8..<dataStart), path: path)
        let dataSize = data.count - dataStart

        // Validate every entry before allocating anything.
        var layouts: [(name: String, entry: HeaderEntry, dtype: DType, count: Int)] = []
        layouts.reserveCapacity(header.entries.count)
        for (name, entry) in header.entries {
            guard let dtype = DType(rawValue: entry.dtype) else {
                throw fail(.unsupportedDType(tensor: name, dtype: entry.dtype))
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw fail(.invalidHeader("tensor '\(name)' has a negative dimension in \(entry.shape)"))
            }
            var count = 1
            var byteCount = dtype.size
            for dimension in entry.shape {
                let (c, overflowC) = count.multipliedReportingOverflow(by: dimension)
                let (b, overflowB) = byteCount.multipliedReportingOverflow(by: dimension)
                guard !overflowC, !overflowB else {
                    throw fail(.badOffsets(tensor: name, "shape \(entry.shape) is too large"))
                }
                count = c
                byteCount = b
            }
            guard entry.dataOffsets.count == 2 else {
                throw fail(.badOffsets(tensor: name, "expected [begin, end], got \(entry.dataOffsets)"))
            }
            let begin = entry.dataOffsets[0], end = entry.dataOffsets[1]
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail(.badOffsets(tensor: name,
                    "[\(begin), \(end)] is not a range inside the \(dataSize)-byte data block"))
            }
            guard end - begin == byteCount else {
                throw fail(.badOffsets(tensor: name,
                    "[\(begin), \(end)] spans \(end - begin) bytes but \(entry.dtype) \(entry.shape) "
                        + "needs \(byteCount)"))
            }
            layouts.append((name, entry, dtype, count))
        }

        // No two tensors may share bytes (empty tensors occupy none).
        let occupied = layouts.filter { $0.count > 0 }
            .sorted { $0.entry.dataOffsets[0] < $1.entry.dataOffsets[0] }
        for (previous, next) in zip(occupied, occupied.dropFirst())
        where next.entry.dataOffsets[0] < previous.entry.dataOffsets[1] {
            let pair = [previous.name, next.name].sorted(by: byteOrder)
            throw fail(.overlappingOffsets(pair[0], pair[1]))
        }

        var tensors: [String: Tensor] = [:]
        tensors.reserveCapacity(layouts.count)
        data.withUnsafeBytes { raw in
            for layout in layouts {
                let tensor = Tensor(uninitializedShape: layout.entry.shape)
                let offset = dataStart + layout.entry.dataOffsets[0]
                layout.dtype.convert(from: raw, byteOffset: offset, count: layout.count,
                                     into: tensor.mutablePointer)
                tensors[layout.name] = tensor
            }
        }
        return (tensors, header.metadata)
    }

    /// Parses and type-checks the header JSON. (JSONSerialization rather than JSONDecoder: on
    /// Linux the decoder reports a mistyped number as "not valid JSON", with no location.)
    private static func decodeHeader(_ json: Data, path: String) throws -> Header {
        func invalid(_ reason: String) -> SafetensorsError {
            SafetensorsError(path: path, .invalidHeader(reason))
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json)
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw SafetensorsError(path: path, .invalidJSON(reason ?? "\(error)"))
        }
        guard let root = object as? [String: Any] else {
            throw invalid("the top level is not a JSON object")
        }
        var header = Header()
        for (name, value) in root {
            if name == metadataKey {
                if value is NSNull { continue }
                guard let map = value as? [String: Any] else {
                    throw invalid("'\(metadataKey)' is not an object")
                }
                for (key, item) in map {
                    guard let string = item as? String else {
                        throw invalid("'\(metadataKey)' value of '\(key)' is not a string")
                    }
                    header.metadata[key] = string
                }
                continue
            }
            guard let entry = value as? [String: Any] else {
                throw invalid("entry '\(name)' is not an object")
            }
            guard let dtype = entry["dtype"] as? String else {
                throw invalid("entry '\(name)' has no string 'dtype'")
            }
            guard let shape = integers(entry["shape"]) else {
                throw invalid("entry '\(name)' has no integer array 'shape'")
            }
            guard let offsets = integers(entry["data_offsets"]) else {
                throw invalid("entry '\(name)' has no integer array 'data_offsets'")
            }
            header.entries.append((name, HeaderEntry(dtype: dtype, shape: shape, dataOffsets: offsets)))
        }
        return header
    }

    private static let booleanClass = type(of: NSNumber(value: true))

    /// An array of JSON integers (booleans and fractions rejected), else nil.
    private static func integers(_ value: Any?) -> [Int]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Int] = []
        result.reserveCapacity(array.count)
        for item in array {
            // `is Bool` would also match the numbers 0 and 1, so compare the boxed class.
            guard let number = item as? NSNumber, type(of: number) != booleanClass,
                  let integer = item as? Int else { return nil }
            result.append(integer)
        }
        return result
    }

    // MARK: Writing

    /// Writes `tensors` as F32 with optional string metadata, atomically (a temporary file in
    /// the same directory renamed over `url`). Files are reproducible: tensors are laid out and
    /// listed in byte order of their names, metadata keys likewise, and the header is padded
    /// with spaces to a multiple of 8 bytes, as the reference writer does.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:],
                             to url: URL) throws {
        let names = tensors.keys.sorted(by: byteOrder)
        for name in names where name.isEmpty || name == metadataKey {
            throw SafetensorsError(path: url.path, .invalidTensorName(name))
        }
        var json = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted(by: byteOrder).map {
                "\(jsonString($0)):\(jsonString(metadata[$0]!))"
            }
            fields.append("\(jsonString(metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let end = offset + tensor.count * MemoryLayout<Float>.size
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],"
                          + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        json += fields.joined(separator: ",") + "}"
        var header = Data(json.utf8)
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))

        try AtomicFile.write(to: url) { file in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try file.write($0) }
            try file.write(header)
            for name in names {
                let tensor = tensors[name]!
                try file.write(UnsafeRawBufferPointer(
                    start: tensor.pointer, count: tensor.count * MemoryLayout<Float>.size))
            }
        }
    }

    // MARK: Details

    private static let metadataKey = "__metadata__"

    /// Byte-wise (UTF-8) order, as the reference implementation sorts names.
    private static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    private static func jsonString(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private enum DType: String {
        case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
        /// Bytes (the FVD fixture's videos); every value is exact in Float32.
        case u8 = "U8"

        var size: Int {
            switch self {
            case .u8: 1
            case .f32: 4
            case .f64: 8
            case .f16, .bf16: 2
            }
        }

        /// Copies `count` elements starting at `byteOffset` (any alignment) into Float32.
        func convert(from raw: UnsafeRawBufferPointer, byteOffset: Int, count: Int,
                     into target: UnsafeMutablePointer<Float>) {
            guard count > 0, let base = raw.baseAddress else { return }
            let source = base + byteOffset
            switch self {
            case .f32:
                UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: count * 4)
            case .f64:
                for i in 0..<count {
                    target[i] = Float(source.loadUnaligned(fromByteOffset: i &* 8, as: Double.self))
                }
            case .f16:
                for i in 0..<count {
                    target[i] = HalfPrecision.floatFromHalf(
                        source.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self))
                }
            case .bf16:
                for i in 0..<count {
                    target[i] = HalfPrecision.floatFromBFloat(
                        source.loadUnaligned(fromByteOffset: i &* 2, as: UInt16.self))
                }
            case .u8:
                for i in 0..<count { target[i] = Float(source.load(fromByteOffset: i, as: UInt8.self)) }
            }
        }
    }

    private struct HeaderEntry {
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]
    }

    /// The header object: tensor entries plus the optional `__metadata__` map.
    private struct Header {
        var entries: [(String, HeaderEntry)] = []
        var metadata: [String: String] = [:]
    }
}
