import Engine
import Foundation
import Testing
import TestSupport

@Suite struct SafetensorsTests {
    /// A fresh empty directory per test.
    private let directory: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes a hand-made file: the 8-byte length (of `header`, unless overridden), the header,
    /// then `data`.
    private func rawFile(_ name: String, header: String, data: [UInt8] = [],
                         claimedLength: UInt64? = nil) -> URL {
        let headerBytes = Array(header.utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (claimedLength ?? UInt64(headerBytes.count)).littleEndian) {
            bytes += $0
        }
        bytes += headerBytes + data
        let url = directory.appendingPathComponent(name)
        try! Data(bytes).write(to: url)
        return url
    }

    private func readError(_ url: URL) -> SafetensorsError? {
        do {
            _ = try SafetensorsFile.read(from: url)
            return nil
        } catch let error as SafetensorsError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    private func bytes<T>(of values: [T]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    // MARK: Round trip and format

    @Test func roundTripKeepsShapesValuesAndMetadata() throws {
        let tensors: [String: Tensor] = [
            "b.weight": Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .infinity, -0.0, 1e-30]),
            "a.bias": Tensor(shape: [3], scalars: [0.1, 0.2, 0.3]),
            "scalar": Tensor(7),
            "empty": Tensor(zeros: [0, 4]),
            "odd \"name\"/é": Tensor(shape: [1, 1, 1], scalars: [42]),
        ]
        let metadata = ["format": "pt", "note": "line\nbreak \"quoted\""]
        let url = directory.appendingPathComponent("round.safetensors")
        try SafetensorsFile.write(tensors, metadata: metadata, to: url)

        let file = try SafetensorsFile.read(from: url)
        #expect(file.metadata == metadata)
        #expect(Set(file.tensors.keys) == Set(tensors.keys))
        for (name, tensor) in tensors {
            let read = try file.tensor(name)
            #expect(read.shape == tensor.shape, "\(name)")
            #expect(read.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(name)")
        }
    }

    @Test func writtenFilesAreReproducibleAndAligned() throws {
        let tensors = ["z": Tensor(shape: [2], scalars: [1, 2]), "a": Tensor(shape: [1], scalars: [3])]
        let first = directory.appendingPathComponent("1.safetensors")
        let second = directory.appendingPathComponent("2.safetensors")
        try SafetensorsFile.write(tensors, metadata: ["k": "v"], to: first)
        try SafetensorsFile.write(tensors, metadata: ["k": "v"], to: second)
        let data = try Data(contentsOf: first)
        #expect(data == (try Data(contentsOf: second)))

        let headerLength = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        #expect(headerLength % 8 == 0)
        let header = String(decoding: data[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{\"k\":\"v\"},\"a\":"))
        #expect(header.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
        // Data laid out in name order: a's 3 first, then z's 1, 2.
        let values = data[(8 + headerLength)...].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(values == [3, 1, 2])
    }

    @Test func readsTheWarpFixtureWithTheSidecarShapes() throws {
        let file = try SafetensorsFile.read(from: Fixtures.url("warp_small.safetensors"))
        let sidecar = try Data(contentsOf: Fixtures.url("warp_small.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: sidecar) as? [String: Any])
        let index = try #require(json["tensors"] as? [String: [String: Any]])
        #expect(index.count >= 10)
        #expect(Set(file.tensors.keys) == Set(index.keys))
        for (name, entry) in index {
            let shape = try #require(entry["shape"] as? [Int])
            #expect(try file.tensor(name).shape == shape, "\(name)")
        }
        #expect(try file.tensor("warp_gate.weight").shape == [9, 4, 3, 3])
        #expect(try file.tensor("input.offset").shape == [2, 18, 5, 6])
        #expect(try file.tensor("output.loss").count == 1)
        #expect(try file.tensor("output.loss").scalar.isFinite)
        #expect(file.metadata["format"] == "pt")
    }

    @Test func convertsF64F16AndBF16AtUnalignedOffsets() throws {
        // F16 first (6 bytes) so the F64 and BF16 data start at unaligned offsets.
        let half: [UInt16] = [0x3C00, 0xC000, 0x0001]  // 1, -2, smallest subnormal 2^-24
        let double: [Double] = [0.1, -3.25]
        let bfloat: [UInt16] = [0x3FC0, 0xFF80]  // 1.5, -infinity
        let data = bytes(of: half) + bytes(of: double) + bytes(of: bfloat)
        let header = """
            {"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},\
            "d":{"dtype":"F64","shape":[2,1],"data_offsets":[6,22]},\
            "b":{"dtype":"BF16","shape":[2],"data_offsets":[22,26]}}
            """
        let file = try SafetensorsFile.read(from: rawFile("mixed.safetensors", header: header, data: data))
        #expect(try file.tensor("h").scalars == [1, -2, 0x1p-24])
        #expect(try file.tensor("d").shape == [2, 1])
        #expect(try file.tensor("d").scalars == [Float(0.1), -3.25])
        #expect(try file.tensor("b").scalars == [1.5, -.infinity])
        #expect(file.metadata.isEmpty)
    }

    @Test func widensU8AtAnOddOffset() throws {
        // One U8 byte first, so the second tensor's bytes start at an odd offset.
        let data: [UInt8] = [7, 0, 128, 255]
        let header = """
            {"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},\
            "v":{"dtype":"U8","shape":[1,3],"data_offsets":[1,4]}}
            """
        let file = try SafetensorsFile.read(from: rawFile("bytes.safetensors", header: header, data: data))
        #expect(try file.tensor("a").scalars == [7])
        #expect(try file.tensor("v").shape == [1, 3])
        #expect(try file.tensor("v").scalars == [0, 128, 255])
    }

    // MARK: Errors

    @Test func missingTensorErrorNamesFileAndTensor() throws {
        let url = directory.appendingPathComponent("one.safetensors")
        try SafetensorsFile.write(["present": Tensor(1)], to: url)
        let file = try SafetensorsFile.read(from: url)
        do {
            _ = try file.tensor("absent")
            Issue.record("expected an error")
        } catch let error as SafetensorsError {
            #expect(error.kind == .missingTensor("absent"))
            #expect(error.description.contains(url.path))
            #expect(error.description.contains("absent"))
        }
    }

    @Test func missingFile() {
        let url = directory.appendingPathComponent("nowhere.safetensors")
        let error = readError(url)
        #expect(error?.kind == .fileNotFound)
        #expect(error?.description.contains(url.path) == true)
    }

    @Test func fileShorterThanTheLengthField() throws {
        let url = directory.appendingPathComponent("short.safetensors")
        try Data([1, 2, 3]).write(to: url)
        #expect(readError(url)?.kind == .tooShort(fileSize: 3))
    }

    @Test func truncatedHeader() {
        let url = rawFile("truncated.safetensors", header: "{\"a\":", claimedLength: 1000)
        #expect(readError(url)?.kind == .headerTooLarge(headerLength: 1000, fileSize: 13))
        let huge = rawFile("huge.safetensors", header: "{}", claimedLength: .max)
        #expect(readError(huge)?.kind == .headerTooLarge(headerLength: .max, fileSize: 10))
    }

    @Test func truncatedData() {
        // The header promises 8 bytes of data; only 4 are there.
        let url = rawFile("cut.safetensors",
                          header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                          data: [0, 0, 0, 0])
        guard case .badOffsets(tensor: "a", _)? = readError(url)?.kind else {
            Issue.record("expected badOffsets, got \(String(describing: readError(url)))")
            return
        }
    }

    @Test func garbageHeaderIsInvalidJSON() {
        let error = readError(rawFile("garbage.safetensors", header: "\u{1}not json at all"))
        guard case .invalidJSON? = error?.kind else {
            Issue.record("expected invalidJSON, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("garbage.safetensors") == true)
    }

    @Test func wrongStructureIsInvalidHeader() {
        let headers = [
            #"[1, 2, 3]"#,
            #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":"big","data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
            #"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#,
            #"{"a":3}"#,
            #"{"__metadata__":{"k":3}}"#,
        ]
        for (index, header) in headers.enumerated() {
            let error = readError(rawFile("structure\(index).safetensors", header: header,
                                          data: [0, 0, 0, 0]))
            guard case .invalidHeader? = error?.kind else {
                Issue.record("\(header): expected invalidHeader, got \(String(describing: error))")
                continue
            }
        }
    }

    @Test func unknownDType() {
        for dtype in ["I64", "Q7"] {
            let header = "{\"a\":{\"dtype\":\"\(dtype)\",\"shape\":[1],\"data_offsets\":[0,8]}}"
            let error = readError(rawFile("\(dtype).safetensors", header: header,
                                          data: [UInt8](repeating: 0, count: 8)))
            #expect(error?.kind == .unsupportedDType(tensor: "a", dtype: dtype))
            #expect(error?.description.contains(dtype) == true)
        }
    }

    @Test func badOffsets() {
        let cases = [
            ("outside", #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#),
            ("reversed", #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#),
            ("negative", #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#),
            ("size", #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#),
            ("three", #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#),
        ]
        for (name, header) in cases {
            let error = readError(rawFile("\(name).safetensors", header: header,
                                          data: [UInt8](repeating: 0, count: 8)))
            guard case .badOffsets(tensor: "a", _)? = error?.kind else {
                Issue.record("\(name): expected badOffsets, got \(String(describing: error))")
                continue
            }
        }
    }

    @Test func overlappingOffsets() {
        let header = """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},\
            "b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}
            """
        let error = readError(rawFile("overlap.safetensors", header: header,
                                      data: [UInt8](repeating: 0, count: 12)))
        #expect(error?.kind == .overlappingOffsets("a", "b"))
    }

    // MARK: Atomic writing

    private func directoryContents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func writingLeavesNoTemporaryFiles() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try SafetensorsFile.write(["a": Tensor(1)], to: url)
        try SafetensorsFile.write(["a": Tensor(2)], to: url)  // replaces the existing file
        #expect(try directoryContents() == ["model.safetensors"])
        #expect(try SafetensorsFile.read(from: url).tensor("a").scalar == 2)
    }

    @Test func failedWriteKeepsTheExistingFile() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try SafetensorsFile.write(["a": Tensor(1)], to: url)
        let before = try Data(contentsOf: url)

        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: url) { file in
                try file.write(Data(repeating: 0xAB, count: 100))
                throw Interrupted()
            }
        }
        #expect(throws: SafetensorsError.self) {
            try SafetensorsFile.write(["__metadata__": Tensor(3)], to: url)
        }
        #expect(try Data(contentsOf: url) == before)
        #expect(try directoryContents() == ["model.safetensors"])
    }

    @Test func failedRenameLeavesNoTemporaryFile() throws {
        // The target is a non-empty directory, so the final rename fails.
        let blocked = directory.appendingPathComponent("blocked")
        try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: false)
        try Data([1]).write(to: blocked.appendingPathComponent("keep"))
        #expect(throws: AtomicFile.WriteError.self) {
            try SafetensorsFile.write(["a": Tensor(1)], to: blocked)
        }
        #expect(try directoryContents() == ["blocked"])
        #expect(FileManager.default.fileExists(atPath: blocked.appendingPathComponent("keep").path))
    }

    @Test func writingIntoAMissingDirectoryFailsClearly() {
        let url = directory.appendingPathComponent("no/such/dir/x.safetensors")
        do {
            try SafetensorsFile.write(["a": Tensor(1)], to: url)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("x.safetensors"))
        }
    }
}
