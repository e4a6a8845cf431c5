import Cells

/// Everything needed to build one predictive model: the backbone, the MotionRNN parts around it,
/// the frame geometry and the sequence lengths. Built into a model by `ModelFactory.make`.
public struct ModelConfiguration: Codable, Equatable, Sendable {
    /// The recurrent block stack (paper §4, "Backbone models").
    public enum BackboneKind: String, Codable, CaseIterable, Sendable {
        case convlstm, predrnn, predrnnv2, mim, e3dlstm, trajgru, convttlstm

        public var displayName: String {
            switch self {
            case .convlstm: "ConvLSTM"
            case .predrnn: "PredRNN"
            case .predrnnv2: "PredRNN-v2"
            case .mim: "MIM"
            case .e3dlstm: "E3D-LSTM"
            case .trajgru: "TrajGRU"
            case .convttlstm: "Conv-TT-LSTM"
            }
        }
    }

    public var backbone: BackboneKind
    /// Which MotionRNN parts wrap the backbone; `.none` is the plain backbone.
    public var motion: MotionRNNOptions
    public var imageHeight: Int
    public var imageWidth: Int
    public var imageChannels: Int
    /// Side of the square patches folded into channels (space-to-depth, SPEC §1).
    public var patchSize: Int
    /// Hidden channels of each layer, bottom first.
    public var hiddenChannels: [Int]
    /// Kernel size of the recurrent convolutions (E3D-LSTM uses its own (2, 5, 5) kernel).
    public var filterSize: Int
    /// The official `layer_norm = 1` variant (PredRNN's ST-LSTM).
    public var layerNorm: Bool
    /// Frames given to the model; it predicts `totalLength − inputLength` more.
    public var inputLength: Int
    public var totalLength: Int
    /// E3D-LSTM only: `true` reproduces OpenSTL's defect of passing on the input global memory
    /// (so it never leaves zero) — for checking against OpenSTL, never for training.
    public var openSTLGlobalMemoryDefect: Bool?
    /// E3D-LSTM only: how RECALL reads states (`Recall.Rows`); nil: OpenSTL's flat rows (what
    /// the fixtures and earlier runs use), `.positions` the paper's per-position vectors.
    public var e3dRecall: Recall.Rows?
    /// TrajGRU's links, flow generator and slope; nil: HKO-7's values (`TrajGRUOptions()`).
    public var trajGRU: TrajGRUOptions?
    /// Conv-TT-LSTM's order, steps, ranks and kernel; nil: NVlabs' values (`ConvTTLSTMOptions()`).
    public var convTTLSTM: ConvTTLSTMOptions?
    /// PredRNN-v2's β, the weight of its decoupling loss; nil: the official 0.1.
    public var decouplingWeight: Double?

    /// PredRNN-v2's β as the model uses it.
    public var effectiveDecouplingWeight: Double { decouplingWeight ?? 0.1 }

    /// Whether `other` is this PredRNN model made PredRNN-v2 (the same MotionRNN choice): its
    /// parameters plus the decoupling adapter, which starts fresh.
    public func becomesPredRNNv2(as other: ModelConfiguration) -> Bool {
        backbone == .predrnn && other.backbone == .predrnnv2 && (motion == .none) == (other.motion == .none)
    }

    public init(backbone: BackboneKind, motion: MotionRNNOptions = .none,
                imageHeight: Int, imageWidth: Int, imageChannels: Int, patchSize: Int,
                hiddenChannels: [Int], filterSize: Int, layerNorm: Bool = false,
                inputLength: Int, totalLength: Int) {
        self.backbone = backbone
        self.motion = motion
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.imageChannels = imageChannels
        self.patchSize = patchSize
        self.hiddenChannels = hiddenChannels
        self.filterSize = filterSize
        self.layerNorm = layerNorm
        self.inputLength = inputLength
        self.totalLength = totalLength
    }

    // MARK: Derived sizes

    /// Height and width of a frame in patch space (what the recurrent layers see).
    public var patchHeight: Int { imageHeight / patchSize }
    public var patchWidth: Int { imageWidth / patchSize }
    /// Channels of a patch-space frame, `p²·C`.
    public var frameChannels: Int { patchSize * patchSize * imageChannels }
    /// Whether any MotionRNN part is on.
    public var usesMotionRNN: Bool { motion.highway || motion.usesMotionGRU }

    /// The same model with the paper's unbounded motion filter: what a bound leaves unchanged
    /// (the parameters, the names' other parts).
    public var withoutMotionBound: ModelConfiguration {
        var unbounded = self
        unbounded.motion.bound = nil
        return unbounded
    }

    /// The command-line name: `predrnn`, `motionrnn-predrnn`; ablations add their parts.
    public var name: String {
        if motion.bound != nil { return withoutMotionBound.name + "+bounded" }
        if motion == .full { return "motionrnn-\(backbone.rawValue)" }
        if !usesMotionRNN { return backbone.rawValue }
        let parts = [motion.highway ? "highway" : nil, motion.transient ? "transient" : nil,
                     motion.trend ? "trend" : nil].compactMap { $0 }
        return "\(backbone.rawValue)+" + parts.joined(separator: "+")
    }

    /// The name the paper uses: `PredRNN`, `MotionRNN-PredRNN`; ablations list their parts,
    /// `PredRNN + MotionRNN (highway, trend)`.
    public var displayName: String {
        if let bound = motion.boundDescription { return "\(withoutMotionBound.displayName), motion within \(bound)" }
        if motion == .full { return "MotionRNN-\(backbone.displayName)" }
        if !usesMotionRNN { return backbone.displayName }
        let parts = [("highway", motion.highway), ("transient", motion.transient), ("trend", motion.trend)]
        return "\(backbone.displayName) + MotionRNN (\(parts.filter(\.1).map(\.0).joined(separator: ", ")))"
    }

    // MARK: Validation

    /// Throws the first problem found, naming the field, so that a model is never built from a
    /// configuration that would only fail deep inside a convolution.
    public func validate() throws {
        func fail(_ field: String, _ message: String) -> ModelConfigurationError {
            ModelConfigurationError(field: field, message: message)
        }
        for (field, value) in [("imageHeight", imageHeight), ("imageWidth", imageWidth),
                               ("imageChannels", imageChannels), ("patchSize", patchSize)] where value < 1 {
            throw fail(field, "must be at least 1, got \(value)")
        }
        if imageHeight % patchSize != 0 {
            throw fail("imageHeight", "\(imageHeight) is not divisible by patchSize \(patchSize)")
        }
        if imageWidth % patchSize != 0 {
            throw fail("imageWidth", "\(imageWidth) is not divisible by patchSize \(patchSize)")
        }
        if hiddenChannels.isEmpty {
            throw fail("hiddenChannels", "needs at least one layer")
        }
        if let index = hiddenChannels.firstIndex(where: { $0 < 1 }) {
            throw fail("hiddenChannels", "layer \(index) has \(hiddenChannels[index]) channels, must be at least 1")
        }
        // "Same" padding k/2 keeps the size only for odd kernels.
        if filterSize < 1 || filterSize % 2 == 0 {
            throw fail("filterSize", "must be odd and positive (the convolutions pad k/2 to keep the size), got \(filterSize)")
        }
        if inputLength < 1 {
            throw fail("inputLength", "must be at least 1, got \(inputLength)")
        }
        if totalLength <= inputLength {
            throw fail("totalLength", "\(totalLength) must exceed inputLength \(inputLength) (nothing to predict)")
        }
        let equalWidths = hiddenChannels.allSatisfy { $0 == hiddenChannels[0] }
        switch backbone {
        case .predrnn where !equalWidths, .predrnnv2 where !equalWidths:
            throw fail("hiddenChannels", "\(backbone.displayName)'s zig-zag memory needs equal layer widths, got \(hiddenChannels)")
        case .mim where !equalWidths:
            throw fail("hiddenChannels", "MIM needs equal layer widths, got \(hiddenChannels)")
        default: break
        }
        try validateBaselineOptions()
        if layerNorm && ![.predrnn, .predrnnv2, .convlstm].contains(backbone) {
            throw fail("layerNorm", "is only defined for the PredRNN, PredRNN-v2 and ConvLSTM backbones (E3D-LSTM's own LayerNorm is always on)")
        }
        if e3dRecall != nil && backbone != .e3dlstm {
            throw fail("e3dRecall", "chooses how E3D-LSTM's recall reads its states; \(backbone.displayName) has no recall")
        }
        if let weight = decouplingWeight {
            guard backbone == .predrnnv2 else {
                throw fail("decouplingWeight", "weights PredRNN-v2's decoupling loss; \(backbone.displayName) has none")
            }
            guard weight.isFinite, weight >= 0 else {
                throw fail("decouplingWeight", "must be a non-negative number, got \(weight)")
            }
        }
        try validateMotion()
    }

    /// TrajGRU's and Conv-TT-LSTM's own hyper-parameters (SPEC §10).
    private func validateBaselineOptions() throws {
        func fail(_ field: String, _ message: String) -> ModelConfigurationError {
            ModelConfigurationError(field: field, message: message)
        }
        func checkKernel(_ field: String, _ value: Int) throws {
            if value < 1 || value % 2 == 0 {
                throw fail(field, "must be odd and positive (the convolutions pad k/2 to keep the size), got \(value)")
            }
        }
        if trajGRU != nil && backbone != .trajgru {
            throw fail("trajGRU", "options apply to the TrajGRU backbone only, not \(backbone.displayName)")
        }
        if convTTLSTM != nil && backbone != .convttlstm {
            throw fail("convTTLSTM", "options apply to the Conv-TT-LSTM backbone only, not \(backbone.displayName)")
        }
        if backbone == .trajgru {
            let t = trajGRU ?? TrajGRUOptions()
            if t.links.count != 1 && t.links.count != hiddenChannels.count {
                throw fail("trajGRU.links", "needs one value or one per layer (\(hiddenChannels.count)), got \(t.links)")
            }
            if let bad = t.links.first(where: { $0 < 1 }) {
                throw fail("trajGRU.links", "must all be at least 1, got \(bad)")
            }
            try checkKernel("trajGRU.inputKernel", t.inputKernel)
            try checkKernel("trajGRU.flowKernel", t.flowKernel)
            if t.flowChannels < 1 { throw fail("trajGRU.flowChannels", "must be at least 1, got \(t.flowChannels)") }
            if !t.leakySlope.isFinite { throw fail("trajGRU.leakySlope", "must be a finite number, got \(t.leakySlope)") }
        }
        if backbone == .convttlstm {
            let c = convTTLSTM ?? ConvTTLSTMOptions()
            if c.order < 1 { throw fail("convTTLSTM.order", "must be at least 1, got \(c.order)") }
            if c.steps < c.order {
                throw fail("convTTLSTM.steps", "must be at least the order \(c.order) (each of the order's windows spans steps − order + 1 states), got \(c.steps)")
            }
            if c.ranks < 1 { throw fail("convTTLSTM.ranks", "must be at least 1, got \(c.ranks)") }
            if let kernel = c.kernelSize { try checkKernel("convTTLSTM.kernelSize", kernel) }
        }
    }

    /// Whether the Motion Highway is in the model: asked for, and the backbone has the output gate
    /// it needs (TrajGRU has none; SPEC §10.3).
    public var usesHighway: Bool { motion.highway && backbone != .trajgru }

    /// What the MotionRNN parts require of the shapes (SPEC §3–4).
    private func validateMotion() throws {
        func fail(_ field: String, _ message: String) -> ModelConfigurationError {
            ModelConfigurationError(field: field, message: message)
        }
        if usesHighway && !hiddenChannels.allSatisfy({ $0 == hiddenChannels[0] }) {
            throw fail("hiddenChannels", "the Motion Highway adds each layer's state to the next one's, so all layers need the same width, got \(hiddenChannels)")
        }
        guard motion.usesMotionGRU else {
            if motion.bound != nil { throw fail("motion.bound", "bounds the MotionGRU's motion filter, and this model has no MotionGRU") }
            return
        }
        if !motion.alpha.isFinite {
            throw fail("motion.alpha", "must be a finite number, got \(motion.alpha)")
        }
        if let bound = motion.bound, !(bound > 0 && bound.isFinite) {
            throw fail("motion.bound", "must be a positive number of grid cells, got \(bound)")
        }
        // The MotionGRU sits between layers l and l+1 (not above the top one) and encodes N → N/4.
        for (layer, width) in hiddenChannels.dropLast().enumerated() where width % 4 != 0 {
            throw fail("hiddenChannels", "layer \(layer) has \(width) channels; the MotionGRU needs a multiple of 4 (its encoder makes N/4)")
        }
        // The MotionGRU works at half resolution and its decoder doubles the size back.
        if patchHeight % 2 != 0 {
            throw fail("imageHeight", "the hidden state's height imageHeight/patchSize = \(patchHeight) must be even for the MotionGRU (it works at half resolution)")
        }
        if patchWidth % 2 != 0 {
            throw fail("imageWidth", "the hidden state's width imageWidth/patchSize = \(patchWidth) must be even for the MotionGRU (it works at half resolution)")
        }
    }
}

/// A configuration that cannot be built, naming the field at fault.
public struct ModelConfigurationError: Error, Equatable, CustomStringConvertible {
    /// The offending field (`imageHeight`, `hiddenChannels`, …), or `backbone`/`model`.
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "invalid model configuration: \(field) \(message)" }
}

// MARK: Named models and presets

/// The experimental settings of the paper (§4 and Table 2): four layers of 64 channels,
/// filter size 5, patch size 4.
public enum ModelPreset: String, CaseIterable, Sendable {
    /// Human3.6M: 128×128 RGB, 4 frames → 4 (Table 2's setting).
    case human
    /// Varied Moving MNIST: 64×64 grey, 10 → 10.
    case mnist
    /// Precipitation nowcasting: 64×64 radar echoes, 5 → 10.
    case radar

    var geometry: (size: Int, channels: Int, input: Int, output: Int) {
        switch self {
        case .human: (128, 3, 4, 4)
        case .mnist: (64, 1, 10, 10)
        case .radar: (64, 1, 5, 10)
        }
    }
}

/// A model as the command line names it: a backbone alone (`predrnn`) or wrapped by MotionRNN
/// (`motionrnn-predrnn`). Case-insensitive.
public struct ModelName: Hashable, Sendable, LosslessStringConvertible {
    public var backbone: ModelConfiguration.BackboneKind
    public var withMotionRNN: Bool

    public init(backbone: ModelConfiguration.BackboneKind, withMotionRNN: Bool) {
        self.backbone = backbone
        self.withMotionRNN = withMotionRNN
    }

    public init?(_ text: String) {
        let lowered = text.lowercased()
        let withMotionRNN = lowered.hasPrefix(Self.motionPrefix)
        guard let backbone = ModelConfiguration.BackboneKind(
            rawValue: withMotionRNN ? String(lowered.dropFirst(Self.motionPrefix.count)) : lowered) else { return nil }
        self.init(backbone: backbone, withMotionRNN: withMotionRNN)
    }

    public var description: String { (withMotionRNN ? Self.motionPrefix : "") + backbone.rawValue }

    /// `text` as a model name, or an error that lists the names there are.
    public static func parse(_ text: String) throws -> ModelName {
        guard let name = ModelName(text) else {
            throw ModelConfigurationError(
                field: "model", message: "'\(text)' is unknown; expected one of \(ModelConfiguration.modelNames.joined(separator: ", "))")
        }
        return name
    }

    /// Every name: the backbones, then each with MotionRNN.
    public static let all: [ModelName] = [false, true].flatMap { motion in
        ModelConfiguration.BackboneKind.allCases.map { ModelName(backbone: $0, withMotionRNN: motion) }
    }

    private static let motionPrefix = "motionrnn-"
}

extension ModelConfiguration {
    /// The command-line model names: the backbones, then each with MotionRNN.
    public static let modelNames: [String] = ModelName.all.map(\.description)

    /// This configuration's model name (ablated MotionRNN variants count as MotionRNN).
    public var modelName: ModelName { ModelName(backbone: backbone, withMotionRNN: motion != .none) }

    /// This configuration's entry of `modelNames`.
    public var commandLineName: String { modelName.description }

    /// The configuration of model `name` (one of `modelNames`) in `preset`.
    public init(model name: String, preset: ModelPreset) throws {
        self.init(model: try ModelName.parse(name), preset: preset)
    }

    /// The configuration of model `name` in `preset`.
    public init(model name: ModelName, preset: ModelPreset) {
        let (size, channels, input, output) = preset.geometry
        self.init(backbone: name.backbone, motion: name.withMotionRNN ? .full : .none,
                  imageHeight: size, imageWidth: size, imageChannels: channels, patchSize: 4,
                  hiddenChannels: [64, 64, 64, 64], filterSize: 5, layerNorm: false,
                  inputLength: input, totalLength: input + output)
    }
}
