import Foundation

/// An IDX file (the MNIST distribution's format) for reader tests: two zero bytes, the type
/// code (0x08 = unsigned byte), the rank, the big-endian 32-bit dimensions, then the data.
public func idxFile(type: UInt8 = 0x08, _ shape: [Int], _ bytes: [UInt8]) -> Data {
    var data = Data([0, 0, type, UInt8(shape.count)])
    for n in shape { data.append(contentsOf: (0..<4).map { UInt8(n >> (8 * (3 - $0)) & 0xFF) }) }
    data.append(contentsOf: bytes)
    return data
}
