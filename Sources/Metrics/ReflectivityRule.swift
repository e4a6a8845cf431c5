/// How a frame value in [0, 1] becomes radar reflectivity in dBZ, for CSI/FAR (SPEC §9).
/// The rule is affine, `dBZ = scale · v + offset`, applied either to the 8-bit pixel
/// `v = round(clip(x, 0, 1) · 255)` (`quantized`) or to the value `x` itself.
public struct ReflectivityRule: Codable, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var scale: Float
    public var offset: Float
    /// Apply the rule to the 8-bit pixel round(x·255) rather than to x.
    public var quantized: Bool

    public init(name: String, scale: Float, offset: Float, quantized: Bool) {
        precondition(scale > 0, "ReflectivityRule: scale \(scale) must be positive (dBZ grows with the value)")
        self.name = name
        self.scale = scale
        self.offset = offset
        self.quantized = quantized
    }

    /// The official MotionRNN/Shanghai rule: dBZ = (p + 30) / 2 on the 8-bit pixel p.
    public static let official = ReflectivityRule(name: "official", scale: 0.5, offset: 15, quantized: true)
    /// HKO-7: dBZ = 70 · v − 10 on v in [0, 1].
    public static let hko7 = ReflectivityRule(name: "hko7", scale: 70, offset: -10, quantized: false)

    /// The built-in rule called `name` ("official" or "hko7"), for command-line flags.
    public static func named(_ name: String) -> ReflectivityRule? {
        switch name.lowercased() {
        case "official": return .official
        case "hko7", "hko-7": return .hko7
        default: return nil
        }
    }

    /// dBZ of a frame value x (a prediction is clipped to [0, 1] before it gets here).
    @inlinable public func dBZ(_ x: Float) -> Float {
        scale * (quantized ? Quantize.byte(x) : x) + offset
    }

    public var description: String {
        "\(name): dBZ = \(scale) · \(quantized ? "round(x·255)" : "x") + \(offset)"
    }
}

/// CSI/FAR settings: thresholds in dBZ and the pixel rule.
public struct CategoricalScoring: Codable, Sendable, Equatable {
    public var thresholds: [Double]
    public var rule: ReflectivityRule

    public init(thresholds: [Double] = [30, 40, 50], rule: ReflectivityRule = .official) {
        precondition(!thresholds.isEmpty && thresholds.allSatisfy(\.isFinite),
                     "CategoricalScoring: thresholds \(thresholds) must be finite and not empty")
        self.thresholds = thresholds
        self.rule = rule
    }
}

/// What the accumulator computes besides the always-on MSE, MAE, SSIM, PSNR and GDL.
public struct MetricsOptions: Codable, Sendable, Equatable {
    /// CSI/FAR thresholds and rule; nil for data that is not radar (no CSI/FAR columns).
    public var categorical: CategoricalScoring?

    public init(categorical: CategoricalScoring? = nil) {
        self.categorical = categorical
    }

    /// Radar evaluation: CSI/FAR at 30/40/50 dBZ with the official pixel rule.
    public static let radar = MetricsOptions(categorical: CategoricalScoring())
}

/// The 8-bit view of a frame value used by SSIM and the quantized dBZ rule.
public enum Quantize {
    /// round(clip(x, 0, 1) · 255) as a Float in 0…255; ties round up, NaN maps to 0 (a NaN input
    /// is reported through MSE, see `MetricsError`).
    @inlinable public static func byte(_ x: Float) -> Float {
        let c: Float = x >= 0 ? (x > 1 ? 1 : x) : 0
        return (c * 255 + 0.5).rounded(.down)
    }
}
