import Datasets
import Foundation
import Testing

@Suite struct NPYTests {
    private let directory = temporaryDirectory("npy")

    @Test func readsUInt8AndFloat32() throws {
        let bytes = (0..<24).map { UInt8($0 * 10) }
        let u8 = try NPYArray.read(from: write(NPYArray.encode(uint8: bytes, shape: [2, 3, 4]),
                                               "u8.npy", in: directory))
        #expect(u8.dtype == .uint8)
        #expect(u8.shape == [2, 3, 4])
        #expect(u8.floats() == bytes.map(Float.init))
        let values: [Float] = [0.5, -1.25, 3, 1e-3, 7, 8]
        let f4 = try NPYArray.read(from: write(NPYArray.encode(float32: values, shape: [6]),
                                               "f4.npy", in: directory))
        #expect(f4.dtype == .float32 && f4.shape == [6])
        #expect(f4.floats() == values)
        // A slice, scaled.
        var slice = [Float](repeating: 0, count: 2)
        f4.copyFloats(from: 1, count: 2, into: &slice, dividingBy: 0.5)
        #expect(slice == [-2.5, 6])
    }

    @Test func readsOtherTypesAndByteOrders() throws {
        func file(_ descr: String, _ payload: [UInt8], shape: [Int]) throws -> NPYArray {
            try NPYArray.read(from: write(NPYArray.encode(descr: descr, shape: shape,
                                                          payload: Data(payload)),
                                          "\(descr.dropFirst()).npy", in: directory))
        }
        // 1.5 as little- and big-endian float64.
        let d = 1.5.bitPattern
        let le = (0..<8).map { UInt8(d >> (8 * $0) & 0xFF) }
        #expect(try file("<f8", le, shape: [1]).floats() == [1.5])
        #expect(try file(">f8", le.reversed(), shape: [1]).floats() == [1.5])
        // -2 as int16 and int64, 40000 as uint16, big-endian float32 0.25.
        #expect(try file("<i2", [0xFE, 0xFF], shape: []).floats() == [-2])
        #expect(try file("<i8", [0xFE] + [UInt8](repeating: 0xFF, count: 7), shape: [1]).integers() == [-2])
        #expect(try file("<u2", [0x40, 0x9C], shape: [1]).floats() == [40000])
        #expect(try file(">f4", [0x3E, 0x80, 0, 0], shape: [1, 1]).floats() == [0.25])
        // Float16 1.0 = 0x3C00.
        #expect(try file("<f2", [0x00, 0x3C], shape: [1]).floats() == [1])
    }

    @Test func version2HeaderIsRead() throws {
        var data = NPYArray.encode(uint8: [1, 2, 3], shape: [3])
        // Rewrite as version 2.0: a 4-byte header length.
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        var v2 = Data(data.prefix(6)) + Data([2, 0])
        v2.append(contentsOf: [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8), 0, 0])
        v2.append(data.suffix(from: 10))
        data = v2
        let array = try NPYArray.read(from: write(data, "v2.npy", in: directory))
        #expect(array.floats() == [1, 2, 3])
    }

    @Test func malformedFilesAreRejectedWithTheirKind() {
        let good = NPYArray.encode(float32: [1, 2, 3, 4], shape: [2, 2])
        expectDatasetError(.fileNotFound, pathContains: "absent.npy") {
            _ = try NPYArray.read(from: directory.appendingPathComponent("absent.npy"))
        }
        // Truncated inside the data, inside the header, and inside the preamble.
        expectDatasetError(.truncated(expected: good.count, actual: good.count - 3),
                           pathContains: "short.npy") {
            _ = try NPYArray.read(from: write(good.prefix(good.count - 3), "short.npy", in: directory))
        }
        expectDatasetError(.truncated(expected: 128, actual: 30), pathContains: "header.npy") {
            _ = try NPYArray.read(from: write(good.prefix(30), "header.npy", in: directory))
        }
        expectDatasetError(.truncated(expected: 10, actual: 7), pathContains: "tiny.npy") {
            _ = try NPYArray.read(from: write(good.prefix(7), "tiny.npy", in: directory))
        }
        var wrongMagic = good
        wrongMagic[1] = UInt8(ascii: "X")
        expectDatasetError(.badMagic("NumPy .npy"), pathContains: "magic.npy") {
            _ = try NPYArray.read(from: write(wrongMagic, "magic.npy", in: directory))
        }
        expectDatasetError(.badMagic("NumPy .npy"), pathContains: "text.npy") {
            _ = try NPYArray.read(from: write(Data("hello, world".utf8), "text.npy", in: directory))
        }
        expectDatasetError(.unsupportedDType("'<c8'"), pathContains: "complex.npy") {
            _ = try NPYArray.read(from: write(
                NPYArray.encode(descr: "<c8", shape: [1], payload: Data(count: 8)),
                "complex.npy", in: directory))
        }
        expectDatasetError(.unsupportedDType("'|O'"), pathContains: "object.npy") {
            _ = try NPYArray.read(from: write(
                NPYArray.encode(descr: "|O", shape: [1], payload: Data(count: 8)),
                "object.npy", in: directory))
        }
        expectDatasetError(
            .invalidHeader("fortran_order is True; save the array in C order (np.ascontiguousarray)"),
            pathContains: "fortran.npy") {
            _ = try NPYArray.read(from: write(
                NPYArray.encode(descr: "<f4", shape: [2, 2], payload: Data(count: 16), fortranOrder: true),
                "fortran.npy", in: directory))
        }
        expectDatasetError(.malformed("4 bytes after the array data (header shape [2, 2])"),
                           pathContains: "long.npy") {
            _ = try NPYArray.read(from: write(good + Data(count: 4), "long.npy", in: directory))
        }
        // A header that is not a dict.
        var broken = good
        broken[10] = UInt8(ascii: "[")
        #expect(throws: DatasetError.self) {
            _ = try NPYArray.read(from: write(broken, "broken.npy", in: directory))
        }
    }

    @Test func nonFiniteValuesAreFoundWithTheirIndex() throws {
        let url = write(NPYArray.encode(float32: [0, 0.5, .nan, 1], shape: [4]), "nan.npy", in: directory)
        let array = try NPYArray.read(from: url)
        expectDatasetError(.nonFinite(index: 2), pathContains: "nan.npy") { try array.checkFinite() }
        let inf = try NPYArray.read(from: write(NPYArray.encode(float32: [.infinity], shape: [1]),
                                                "inf.npy", in: directory))
        expectDatasetError(.nonFinite(index: 0), pathContains: "inf.npy") { try inf.checkFinite() }
    }
}
