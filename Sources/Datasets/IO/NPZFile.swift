import Foundation

/// A NumPy `.npz` archive (`np.savez` / `np.savez_compressed`): named `.npy` members.
public struct NPZFile: Sendable {
    public let archive: ZipArchive

    public var path: String { archive.path }
    /// Array names, without the `.npy` suffix.
    public var names: [String] {
        archive.members.map { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name }
    }

    public static func read(from url: URL) throws -> NPZFile {
        NPZFile(archive: try ZipArchive.read(from: url))
    }

    public init(archive: ZipArchive) {
        self.archive = archive
    }

    /// The array stored as `name` (NumPy stores it as `name.npy`).
    public func array(_ name: String) throws -> NPYArray {
        let member = archive.members.contains { $0.name == name } ? name : name + ".npy"
        let bytes = try archive.contents(of: member)
        return try NPYArray.parse(bytes, path: "\(path) (member \(member))")
    }
}
