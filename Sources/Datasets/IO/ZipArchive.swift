import ZlibCodec
import Foundation

/// A zip archive read from its central directory (what NumPy's `np.savez` writes: members
/// stored, or deflated by `np.savez_compressed`; ZIP64 records included, since NumPy always
/// writes members with ZIP64 local headers). Members are extracted on demand and CRC-checked.
public struct ZipArchive: Sendable {
    public struct Member: Sendable, Equatable {
        public let name: String
        /// 0 = stored, 8 = deflate.
        public let method: UInt16
        public let crc32: UInt32
        public let compressedSize: Int
        public let uncompressedSize: Int
        let localHeaderOffset: Int
        let flags: UInt16
    }

    public let path: String
    public let members: [Member]
    private let data: Data

    public static func read(from url: URL) throws -> ZipArchive {
        try ZipArchive(data: FileBytes.read(url), path: url.path)
    }

    public init(data: Data, path: String) throws {
        self.path = path
        self.data = data
        let reader = ByteReader(data: data, path: path)
        let n = data.count
        let isZip = n >= 4 && reader.u32(0) == 0x0403_4B50
        let isEmptyZip = n >= 4 && reader.u32(0) == 0x0605_4B50
        guard isZip || isEmptyZip else {
            throw DatasetError(path: path, .badMagic("zip (.npz)"))
        }
        // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
        var eocd = -1
        var position = n - 22
        while position >= max(0, n - 22 - 65535) {
            if reader.u32(position) == 0x0605_4B50 { eocd = position; break }
            position -= 1
        }
        guard eocd >= 0 else { throw DatasetError(path: path, .truncatedArchive) }

        var entryCount = Int(reader.u16(eocd + 10))
        var directorySize = Int(reader.u32(eocd + 12))
        var directoryOffset = Int(reader.u32(eocd + 16))
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: a locator just before the record points at the 64-bit record.
            let locator = eocd - 20
            guard locator >= 0, reader.u32(locator) == 0x0706_4B50 else {
                throw DatasetError(path: path, .malformed("ZIP64 locator missing"))
            }
            let record = Int(clamping: reader.u64(locator + 8))
            try reader.need(record, 56)
            guard reader.u32(record) == 0x0606_4B50 else {
                throw DatasetError(path: path, .malformed("ZIP64 end record missing"))
            }
            entryCount = Int(clamping: reader.u64(record + 32))
            directorySize = Int(clamping: reader.u64(record + 40))
            directoryOffset = Int(clamping: reader.u64(record + 48))
        }
        try reader.need(directoryOffset, directorySize)

        var members: [Member] = []
        var offset = directoryOffset
        for _ in 0..<entryCount {
            try reader.need(offset, 46)
            guard reader.u32(offset) == 0x0201_4B50 else {
                throw DatasetError(path: path, .malformed("bad central directory entry at \(offset)"))
            }
            let flags = reader.u16(offset + 8)
            let method = reader.u16(offset + 10)
            let crc = reader.u32(offset + 16)
            var compressed = Int(reader.u32(offset + 20))
            var uncompressed = Int(reader.u32(offset + 24))
            let nameLength = Int(reader.u16(offset + 28))
            let extraLength = Int(reader.u16(offset + 30))
            let commentLength = Int(reader.u16(offset + 32))
            var local = Int(reader.u32(offset + 42))
            try reader.need(offset + 46, nameLength + extraLength)
            let name = String(decoding: data[(data.startIndex + offset + 46)...]
                .prefix(nameLength), as: UTF8.self)
            // ZIP64 extra field: 64-bit values for exactly the fields that read 0xFFFFFFFF.
            var extra = offset + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = reader.u16(extra), size = Int(reader.u16(extra + 2))
                if id == 0x0001 {
                    var field = extra + 4
                    func next() -> Int {
                        defer { field += 8 }
                        return field + 8 <= extra + 4 + size ? Int(clamping: reader.u64(field)) : -1
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = next() }
                    if compressed == 0xFFFF_FFFF { compressed = next() }
                    if local == 0xFFFF_FFFF { local = next() }
                }
                extra += 4 + size
            }
            guard compressed >= 0, uncompressed >= 0, local >= 0 else {
                throw DatasetError(path: path, .malformed("bad ZIP64 sizes for member '\(name)'"))
            }
            members.append(Member(name: name, method: method, crc32: crc,
                                  compressedSize: compressed, uncompressedSize: uncompressed,
                                  localHeaderOffset: local, flags: flags))
            offset += 46 + nameLength + extraLength + commentLength
        }
        self.members = members
    }

    /// The member's bytes, decompressed and CRC-checked.
    public func contents(of name: String) throws -> Data {
        guard let member = members.first(where: { $0.name == name }) else {
            throw DatasetError(path: path, .missingMember(name))
        }
        let memberPath = "\(path) (member \(name))"
        guard member.flags & 1 == 0 else {
            throw DatasetError(path: memberPath, .malformed("member is encrypted"))
        }
        let reader = ByteReader(data: data, path: path)
        let local = member.localHeaderOffset
        try reader.need(local, 30)
        guard reader.u32(local) == 0x0403_4B50 else {
            throw DatasetError(path: memberPath, .malformed("bad local header"))
        }
        // The local header's own name and extra lengths decide where the data starts.
        let start = local + 30 + Int(reader.u16(local + 26)) + Int(reader.u16(local + 28))
        try reader.need(start, member.compressedSize)
        let raw = data[(data.startIndex + start)..<(data.startIndex + start + member.compressedSize)]
        let contents: Data
        switch member.method {
        case 0:
            guard member.compressedSize == member.uncompressedSize else {
                throw DatasetError(path: memberPath, .malformed("stored member sizes differ"))
            }
            contents = raw
        case 8:
            contents = try raw.withUnsafeBytes {
                try Zlib.inflate($0, format: .raw, path: memberPath,
                                 expectedSize: member.uncompressedSize)
            }
        default:
            throw DatasetError(path: memberPath, .malformed(
                "compression method \(member.method) (only stored and deflate are supported)"))
        }
        let crc = contents.withUnsafeBytes { Zlib.crc32($0) }
        guard crc == member.crc32 else {
            throw DatasetError(path: memberPath, .corruptCompressedData("CRC-32 mismatch"))
        }
        return contents
    }

    // MARK: Writing

    /// A zip archive of `members` (stored, or deflated when `compress`), as np.savez /
    /// np.savez_compressed would write it (without ZIP64 records, so members below 4 GiB).
    public static func encode(_ members: [(name: String, data: Data)], compress: Bool) -> Data {
        var out = Data()
        var directory = Data()
        func le16(_ v: Int, _ d: inout Data) { d.append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)]) }
        func le32(_ v: Int, _ d: inout Data) { for k in 0..<4 { d.append(UInt8(v >> (8 * k) & 0xFF)) } }
        for member in members {
            let crc = member.data.withUnsafeBytes { Zlib.crc32($0) }
            let payload = compress ? Zlib.deflate(member.data, format: .raw) : member.data
            let name = Array(member.name.utf8)
            let offset = out.count
            func common(_ d: inout Data) {
                le16(0, &d)  // flags
                le16(compress ? 8 : 0, &d)
                le16(0, &d); le16(0x21, &d)  // time, date (1980-01-01)
                le32(Int(crc), &d); le32(payload.count, &d); le32(member.data.count, &d)
                le16(name.count, &d); le16(0, &d)  // extra length
            }
            le32(0x0403_4B50, &out); le16(20, &out); common(&out)
            out.append(contentsOf: name); out.append(payload)
            le32(0x0201_4B50, &directory); le16(20, &directory); le16(20, &directory)
            common(&directory)
            le16(0, &directory); le16(0, &directory); le16(0, &directory); le32(0, &directory)
            le32(offset, &directory)
            directory.append(contentsOf: name)
        }
        let directoryOffset = out.count
        out.append(directory)
        le32(0x0605_4B50, &out); le16(0, &out); le16(0, &out)
        le16(members.count, &out); le16(members.count, &out)
        le32(directory.count, &out); le32(directoryOffset, &out); le16(0, &out)
        return out
    }
}

/// Little-endian reads at byte offsets, with bounds checks that report truncation.
struct ByteReader {
    let data: Data
    let path: String

    /// Throws `.truncated` unless `count` bytes at `offset` are inside the data.
    func need(_ offset: Int, _ count: Int) throws {
        guard offset >= 0, count >= 0, offset <= data.count - count else {
            throw DatasetError(path: path, .truncated(expected: offset + count, actual: data.count))
        }
    }

    func byte(_ offset: Int) -> UInt8 { data[data.startIndex + offset] }
    func u16(_ offset: Int) -> UInt16 { UInt16(byte(offset)) | UInt16(byte(offset + 1)) << 8 }
    func u32(_ offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(byte(offset + $1)) << (8 * $1) } }
    func u64(_ offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(byte(offset + $1)) << (8 * $1) } }
    /// Big-endian 32-bit (IDX headers).
    func u32BigEndian(_ offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(byte(offset + $1)) }
    }
}
