import ZlibCodec
import Datasets
import Engine
import Foundation
import Imaging
import Training

/// The readers a user can point at a file, each as a function of untrusted bytes: it must return
/// or throw — never trap, hang or allocate far beyond the input (a 10 GB shape in a 100-byte
/// header must be refused before anything is allocated).
enum FuzzTarget: String, CaseIterable {
    case npy, npz, zip, safetensors, checkpointJSON = "checkpoint-json", png, idx, digitCSV = "digit-csv",
         pythonLiteral = "python-literal", gzip

    /// Runs the reader on `bytes`: nil when it accepted them, else why it refused (the expected
    /// outcome for most inputs).
    @discardableResult
    func run(_ bytes: Data) -> String? {
        do {
            try parse(bytes)
            return nil
        } catch {
            return "\(error)"
        }
    }

    private func parse(_ bytes: Data) throws {
        switch self {
        case .npy:
            let array = try NPYArray.parse(bytes, path: "fuzz.npy")
            try array.checkFinite()
        case .npz:
            let archive = try ZipArchive(data: bytes, path: "fuzz.npz")
            let file = NPZFile(archive: archive)
            for member in archive.members { _ = try? file.array(member.name) }
        case .zip:
            let archive = try ZipArchive(data: bytes, path: "fuzz.zip")
            for member in archive.members { _ = try? archive.contents(of: member.name) }
        case .safetensors:
            try withFile(bytes, named: "fuzz.safetensors") { _ = try SafetensorsFile.read(from: $0) }
        case .checkpointJSON:
            let state = try JSONDecoder().decode(CheckpointState.self, from: bytes)
            try state.configuration.validate()
        case .png:
            _ = try PNG.decode([UInt8](bytes), path: "fuzz.png")
        case .idx:
            try withFile(bytes, named: "fuzz-idx3-ubyte") { _ = try IDXFile.read(from: $0) }
        case .digitCSV:
            try withFile(bytes, named: "fuzz.csv") { _ = try MLXtendDigits.read(from: $0, rows: 2, cols: 2) }
        case .pythonLiteral:
            // The fuzzed bytes as the header of an otherwise valid .npy file.
            var file = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
            let length = UInt16(truncatingIfNeeded: bytes.count)
            withUnsafeBytes(of: length.littleEndian) { file.append(contentsOf: $0) }
            file.append(bytes.prefix(Int(length)))
            _ = try NPYArray.parse(file, path: "fuzz-header.npy")
        case .gzip:
            _ = try bytes.withUnsafeBytes { try Zlib.inflate($0, format: .gzip, path: "fuzz.gz") }
        }
    }

    /// Readers that take a path get the bytes as a file in a per-process scratch folder.
    private func withFile(_ bytes: Data, named name: String, _ body: (URL) throws -> Void) throws {
        let url = Self.scratch.appendingPathComponent(name)
        try bytes.write(to: url)
        try body(url)
    }

    private static let scratch: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm")
            : FileManager.default.temporaryDirectory
        let folder = base.appendingPathComponent("motionrnn-fuzz-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }()
}
