import Foundation
import DataSources
import Imaging

/// Helpers of the picture and video tests (Imaging, DataSources, Reports).

/// A fresh temporary folder, removed when the value is released.
public final class TemporaryFolder {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("imaging-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Runs ffmpeg with `arguments` (quiet, overwriting); fails the caller on a non-zero exit.
public func ffmpeg(_ arguments: [String]) throws {
    let result = try FFmpeg.run("ffmpeg", ["-nostdin", "-v", "error", "-y"] + arguments)
    if result.status != 0 {
        throw ImagingError.decodeFailed(path: arguments.last ?? "", stderr: result.stderr)
    }
}

/// Deterministic pseudo-random bytes (a 64-bit LCG), so failures reproduce.
public func pseudoRandomBytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 56)
    }
}

/// A smooth test picture with some structure in every channel.
public func gradientImage(width: Int, height: Int, channels: Int) -> Image {
    var bytes = [UInt8]()
    for y in 0..<height {
        for x in 0..<width {
            for c in 0..<channels {
                bytes.append(UInt8(truncatingIfNeeded: x * 7 + y * 3 + c * 85 + (x * y) % 13))
            }
        }
    }
    return Image(width: width, height: height, channels: channels, bytes: bytes)
}

/// Where Debian's opencv-doc puts the walking-people clip, when installed.
public let vtestPath = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"
