import Foundation
import Imaging

/// Saves a picture for a human look when IMAGING_TEST_OUTPUT names a folder (no-op otherwise).
func keep(_ image: Image, _ name: String) throws {
    guard let folder = ProcessInfo.processInfo.environment["IMAGING_TEST_OUTPUT"], !folder.isEmpty else { return }
    try PNG.write(image, to: URL(fileURLWithPath: folder).appendingPathComponent(name))
}
