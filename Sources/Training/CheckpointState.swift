/// The JSON half of a checkpoint (`checkpoint-<iteration>.json`): everything besides the tensors
/// that a resumed run needs to continue exactly. Written after the tensors, so a checkpoint is
/// complete exactly when its JSON exists.
public struct CheckpointState: Codable, Equatable, Sendable {
    /// Raised when the layout changes; older files are then rejected with a clear message.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    /// Iterations completed when the checkpoint was written.
    public var iteration: Int
    /// η of the last completed iteration (informative: η is recomputed from the iteration).
    public var eta: Double
    /// The trainer's scheduled-sampling generator (`RandomGenerator.state`).
    public var trainerRandomState: [UInt64]
    /// The batch source's position, when it is a `ResumableBatchSource`.
    public var batchSourceState: [UInt64]?
    public var configuration: TrainingConfiguration
    public var lossHistory: LossHistory
    /// The file name of the tensors (model parameters, and Adam's state under `optimizer.`).
    public var tensorsFile: String
    /// Its size in bytes, to tell a truncated file from a complete one.
    public var tensorsFileSize: Int

    public init(iteration: Int, eta: Double, trainerRandomState: [UInt64],
                batchSourceState: [UInt64]?, configuration: TrainingConfiguration,
                lossHistory: LossHistory, tensorsFile: String, tensorsFileSize: Int) {
        formatVersion = Self.currentFormatVersion
        self.iteration = iteration
        self.eta = eta
        self.trainerRandomState = trainerRandomState
        self.batchSourceState = batchSourceState
        self.configuration = configuration
        self.lossHistory = lossHistory
        self.tensorsFile = tensorsFile
        self.tensorsFileSize = tensorsFileSize
    }

    private enum CodingKeys: String, CodingKey {
        case formatVersion, iteration, eta, trainerRandomState, batchSourceState, configuration,
             lossHistory, tensorsFile, tensorsFileSize
    }

    // Generator words are written as hexadecimal strings: JSON readers commonly parse numbers as
    // Double, which would round words above 2⁵³ and break the exact resume.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try container.decode(Int.self, forKey: .formatVersion)
        guard formatVersion == Self.currentFormatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .formatVersion, in: container,
                debugDescription: "format version \(formatVersion) is not supported (this build reads version \(Self.currentFormatVersion))")
        }
        iteration = try container.decode(Int.self, forKey: .iteration)
        eta = try container.decode(Double.self, forKey: .eta)
        trainerRandomState = try Self.words(container, .trainerRandomState)
        if container.contains(.batchSourceState), try !container.decodeNil(forKey: .batchSourceState) {
            batchSourceState = try Self.words(container, .batchSourceState)
        } else {
            batchSourceState = nil
        }
        configuration = try container.decode(TrainingConfiguration.self, forKey: .configuration)
        lossHistory = try container.decode(LossHistory.self, forKey: .lossHistory)
        tensorsFile = try container.decode(String.self, forKey: .tensorsFile)
        tensorsFileSize = try container.decode(Int.self, forKey: .tensorsFileSize)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(iteration, forKey: .iteration)
        try container.encode(eta, forKey: .eta)
        try container.encode(trainerRandomState.map(Self.hex), forKey: .trainerRandomState)
        try container.encode(batchSourceState?.map(Self.hex), forKey: .batchSourceState)
        try container.encode(configuration, forKey: .configuration)
        try container.encode(lossHistory, forKey: .lossHistory)
        try container.encode(tensorsFile, forKey: .tensorsFile)
        try container.encode(tensorsFileSize, forKey: .tensorsFileSize)
    }

    private static func hex(_ word: UInt64) -> String { String(word, radix: 16) }

    private static func words(_ container: KeyedDecodingContainer<CodingKeys>,
                              _ key: CodingKeys) throws -> [UInt64] {
        let strings = try container.decode([String].self, forKey: key)
        return try strings.map { string in
            guard let word = UInt64(string, radix: 16) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container,
                    debugDescription: "'\(string)' is not a hexadecimal 64-bit word")
            }
            return word
        }
    }
}
