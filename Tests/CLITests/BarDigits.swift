import Foundation
import TestSupport

/// Writes `count` made-up "digits" (bars whose width and height depend on the index, labels
/// index mod 10) as an MNIST-style IDX pair `<prefix>-images-idx3-ubyte` and
/// `<prefix>-labels-idx1-ubyte` in `folder`; returns the images file. `shift` moves every bar,
/// so that two files can hold different digits.
func writeBarDigits(in folder: URL, prefix: String = "bars", count: Int = 30, shift: Int = 0) throws -> URL {
    var pixels = [UInt8](repeating: 0, count: count * 28 * 28)
    for i in 0..<count {
        for y in (8 - i % 4 + shift)..<(20 + i % 3 + shift) {
            for x in (10 - i % 5)..<18 { pixels[i * 784 + y * 28 + x] = 255 }
        }
    }
    let images = folder.appendingPathComponent("\(prefix)-images-idx3-ubyte")
    try idxFile([count, 28, 28], pixels).write(to: images)
    try idxFile([count], (0..<count).map { UInt8($0 % 10) })
        .write(to: folder.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    return images
}
