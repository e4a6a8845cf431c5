/// How radar reflectivity (dBZ) maps to pixel values v in [0, 1]: dBZ = dBZPerUnit · v + offset
/// (SPEC §9). Both published rules are linear:
/// - `official` (the MotionRNN/PredRNN radar code, Shanghai): 8-bit p = 255·v, dBZ = (p + 30)/2,
///   i.e. dBZ = 127.5·v + 15 (v = 0 is 15 dBZ, v = 1 is 142.5 dBZ);
/// - `hko7` (HKO-7 data set): dBZ = 70·v − 10 (v = 0 is −10 dBZ, v = 1 is 60 dBZ).
/// The CSI/FAR metrics threshold predictions at 30/40/50 dBZ through `pixel(fromDBZ:)`.
public struct DBZRule: Sendable, Equatable, Codable, CustomStringConvertible {
    public let name: String
    public let dBZPerUnit: Float
    public let offset: Float

    public static let official = DBZRule(name: "official", dBZPerUnit: 127.5, offset: 15)
    public static let hko7 = DBZRule(name: "hko7", dBZPerUnit: 70, offset: -10)
    public static let all: [DBZRule] = [.official, .hko7]

    public init(name: String, dBZPerUnit: Float, offset: Float) {
        precondition(dBZPerUnit > 0, "DBZRule: dBZPerUnit \(dBZPerUnit) must be positive")
        self.name = name
        self.dBZPerUnit = dBZPerUnit
        self.offset = offset
    }

    /// The rule called `name` ("official" or "hko7"; "shanghai" is the official one), or nil.
    public init?(named name: String) {
        switch name.lowercased() {
        case "official", "shanghai": self = .official
        case "hko7", "hko-7", "hko": self = .hko7
        default: return nil
        }
    }

    public var description: String { "\(name) (dBZ = \(dBZPerUnit)·v + \(offset))" }

    /// The dBZ value of pixel value `v` (v in [0, 1]; not clipped).
    @inline(__always)
    public func dBZ(fromPixel v: Float) -> Float { dBZPerUnit * v + offset }

    /// The pixel value of `dBZ`, not clipped (thresholds may lie outside [0, 1]).
    @inline(__always)
    public func unclippedPixel(fromDBZ dBZ: Float) -> Float { (dBZ - offset) / dBZPerUnit }

    /// The pixel value of `dBZ`, clipped to [0, 1] (what an image can store).
    @inline(__always)
    public func pixel(fromDBZ dBZ: Float) -> Float {
        min(max(unclippedPixel(fromDBZ: dBZ), 0), 1)
    }

    /// dBZ of an 8-bit pixel `p` (v = p/255): for `official`, (p + 30)/2.
    public func dBZ(fromByte p: UInt8) -> Float { dBZ(fromPixel: Float(p) / 255) }

    /// The dBZ range the rule can represent, v = 0 … 1.
    public var representableRange: ClosedRange<Float> { offset...(offset + dBZPerUnit) }
}
