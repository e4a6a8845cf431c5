import Cells
import Engine
import Foundation
import Layers
import Predictor

/// Checks our models against a reference fixture (what `motionrnn verify-reference` runs):
/// builds what the sidecar's `config` describes, loads the fixture's parameters by name, runs
/// forward and backward on its inputs and compares every output and gradient with the rule of
/// the fixtures' README, `max|ours − ref| / max|ref| ≤ tolerance` per tensor (for an all-zero
/// reference: `max|ours| ≤ 1e-7`).
///
/// Full-model fixtures (`config.model`) run the whole predictor with the fixture's mask and loss;
/// component fixtures (Warp, MotionGRU, ST-LSTM with highway) run the component on its
/// `input.*` with the linear loss `Σ output ⊙ loss_weight`.
public enum ReferenceVerifier {
    /// The threshold for tensors whose reference is all zero (README, "Tolerance").
    public static let zeroReferenceBound = 1e-7

    public static func verify(fixtureAt url: URL, tolerance: Double = 1e-4) throws -> ReferenceReport {
        precondition(tolerance > 0 && tolerance.isFinite, "verify: tolerance \(tolerance) must be positive")
        let fixture = try ReferenceFixture(contentsOf: url)
        do {
            if fixture.config["model"] != nil {
                return try verifyFullModel(fixture, tolerance: tolerance)
            }
            return try verifyComponent(fixture, tolerance: tolerance)
        } catch let error as ModelConfigurationError {
            throw ReferenceFixtureError(url.path, "\(error)")
        }
    }

    // MARK: Full models

    /// The official `model` names, reduced to lower case without separators.
    static func backbone(officialName: String, fixture: ReferenceFixture) throws
        -> (ModelConfiguration.BackboneKind, MotionRNNOptions)
    {
        var key = officialName.lowercased().filter { $0.isLetter || $0.isNumber }
        let motion: MotionRNNOptions = key.hasPrefix("motionrnn") ? .full : .none
        if key.hasPrefix("motionrnn") { key.removeFirst("motionrnn".count) }
        guard let backbone = ModelConfiguration.BackboneKind(rawValue: key) else {
            throw ReferenceFixtureError(
                fixture.sidecarURL.path,
                "config model '\(officialName)' is unknown (expected MotionRNN_PredRNN, predrnn, ConvLSTM, MIM, E3DLSTM, TrajGRU or ConvTTLSTM, each optionally MotionRNN_-prefixed)")
        }
        return (backbone, motion)
    }

    /// The model configuration of a full-model fixture, from the official config keys.
    public static func configuration(of fixture: ReferenceFixture) throws -> ModelConfiguration {
        let officialName = fixture.string("model") ?? "\(fixture.config["model"] ?? "")"
        let (backbone, motion) = try backbone(officialName: officialName, fixture: fixture)
        try checkSupportedVariant(fixture)
        let inputLength = try fixture.integer("input_length", default: try? fixture.integer("pre_seq_length"))
        // OpenSTL's E3D-LSTM ignores filter_size: its kernel is (2, 5, 5).
        let filterSize = backbone == .e3dlstm ? 5 : try fixture.integer("filter_size")
        var configuration = ModelConfiguration(
            backbone: backbone, motion: motion,
            imageHeight: try fixture.integer("img_height"), imageWidth: try fixture.integer("img_width"),
            imageChannels: try fixture.integer("img_channel"), patchSize: try fixture.integer("patch_size"),
            hiddenChannels: try fixture.integerList("num_hidden"),
            filterSize: filterSize, layerNorm: try fixture.flag("layer_norm"),
            inputLength: inputLength, totalLength: try fixture.integer("total_length"))
        if fixture.config["decouple_beta"] != nil {
            configuration.decouplingWeight = try fixture.number("decouple_beta")
        }
        if fixture.config["e3d_pass_new_global_memory"] != nil {
            configuration.openSTLGlobalMemoryDefect = try !fixture.flag("e3d_pass_new_global_memory")
        }
        switch backbone {
        case .trajgru:
            let defaults = TrajGRUOptions()
            configuration.trajGRU = TrajGRUOptions(
                links: fixture.config["L"] == nil ? defaults.links : try fixture.integerList("L"),
                inputKernel: try fixture.integer("i2h_kernel", default: defaults.inputKernel),
                flowChannels: try fixture.integer("flow_hidden", default: defaults.flowChannels),
                flowKernel: try fixture.integer("flow_kernel", default: defaults.flowKernel),
                leakySlope: Float(try fixture.number("leaky_slope", default: Double(defaults.leakySlope))))
        case .convttlstm:
            let defaults = ConvTTLSTMOptions()
            configuration.convTTLSTM = ConvTTLSTMOptions(
                order: try fixture.integer("order", default: defaults.order),
                steps: try fixture.integer("steps", default: defaults.steps),
                ranks: try fixture.integer("ranks", default: defaults.ranks),
                kernelSize: try fixture.integer("kernel_size", default: filterSize))
        default: break
        }
        return configuration
    }

    /// Config switches that select behaviour this build does not model.
    static func checkSupportedVariant(_ fixture: ReferenceFixture) throws {
        func unsupported(_ what: String) -> ReferenceFixtureError {
            ReferenceFixtureError(fixture.sidecarURL.path, "\(what) is not supported by this build")
        }
        if try fixture.integer("stride", default: 1) != 1 { throw unsupported("config stride ≠ 1") }
        if fixture.config["mim_state_reset_each_forward"] != nil, try !fixture.flag("mim_state_reset_each_forward") {
            throw unsupported("OpenSTL's MIM state carried across calls (mim_state_reset_each_forward = false)")
        }
        if fixture.config["e3d_kernel"] != nil, try fixture.integerList("e3d_kernel") != [2, 5, 5] {
            throw unsupported("an E3D-LSTM kernel other than (2, 5, 5)")
        }
        if fixture.config["bias"] != nil, try !fixture.flag("bias") {
            throw unsupported("convolutions without bias (config bias = false)")
        }
        if try fixture.number("zoneout", default: 0) != 0 { throw unsupported("TrajGRU's zoneout") }
        if try fixture.integer("window_length", default: 2) != 2 || fixture.integer("window_stride", default: 1) != 1 {
            throw unsupported("an E3D-LSTM window other than 2 frames with stride 1")
        }
    }

    /// The training loss named by `config.loss`: "MSE" (default) or "MSE+L1".
    static func lossTerms(of fixture: ReferenceFixture) throws -> (mse: Bool, l1: Bool) {
        let loss = (fixture.string("loss") ?? "MSE").uppercased().filter { !$0.isWhitespace }
        switch loss {
        case "MSE": return (true, false)
        case "MSE+L1", "L1+MSE", "L1+L2", "L2+L1": return (true, true)
        default:
            throw ReferenceFixtureError(fixture.sidecarURL.path, "config loss '\(loss)' is unknown (expected MSE or MSE+L1)")
        }
    }

    static func verifyFullModel(_ fixture: ReferenceFixture, tolerance: Double) throws -> ReferenceReport {
        let configuration = try configuration(of: fixture)
        let terms = try lossTerms(of: fixture)
        let model = try ModelFactory.make(configuration, seed: 0)
        let skipped = try loadParameters(into: model, from: fixture)

        let (h, w, cp, t) = (configuration.patchHeight, configuration.patchWidth,
                             configuration.frameChannels, configuration.totalLength)
        let framesTensor = try fixture.tensor("input.frames")
        guard framesTensor.rank == 5, Array(framesTensor.shape.dropFirst()) == [t, h, w, cp] else {
            throw ReferenceFixtureError(
                fixture.url.path, "input.frames has shape \(framesTensor.shape), the config implies [B, \(t), \(h), \(w), \(cp)]")
        }
        let batch = framesTensor.shape[0]
        // With reverse scheduled sampling the mask covers inputs 1 … T − 2 (the input window too).
        let reverseSampling = try fixture.flag("reverse_scheduled_sampling")
        let maskedFrom = reverseSampling ? 1 : configuration.inputLength
        let maskTensor = try fixture.tensor("input.mask_true")
        let maskShape = [batch, t - maskedFrom - 1, h, w, cp]
        guard maskTensor.shape == maskShape else {
            throw ReferenceFixtureError(
                fixture.url.path, "input.mask_true has shape \(maskTensor.shape), the config implies \(maskShape)")
        }

        let frames = Variable(framesTensor)
        let (predictions, auxiliaryLoss) = model.predictWithAuxiliaryLoss(frames: frames, mask: Variable(maskTensor),
                                                                          inputLength: maskedFrom)
        let target = slice(frames, range: 1..<t, axis: 1)
        let mse = mseLoss(predictions, target)
        let l1 = terms.l1 ? l1Loss(predictions, target) : nil
        let frameLoss = l1.map { mse + $0 } ?? mse
        let loss = auxiliaryLoss.map { frameLoss + $0 } ?? frameLoss   // PredRNN-v2's decoupling term

        var comparisons = [try compare("output.next_frames", predictions.value, fixture, tolerance)]
        comparisons.append(try compare("output.loss", loss.value, fixture, tolerance))
        if fixture.tensors["output.loss_mse"] != nil {
            comparisons.append(try compare("output.loss_mse", mse.value, fixture, tolerance))
        }
        if let l1, fixture.tensors["output.loss_l1"] != nil {
            comparisons.append(try compare("output.loss_l1", l1.value, fixture, tolerance))
        }
        loss.backward()
        for (name, parameter) in model.namedParameters {
            comparisons.append(try compare("grad.\(name)", parameter.grad ?? Tensor(zeros: parameter.shape),
                                           fixture, tolerance))
        }
        return ReferenceReport(
            fixture: fixture.url.lastPathComponent,
            kind: "full model \(configuration.displayName) (\(configuration.name), \(terms.l1 ? "MSE+L1" : "MSE") loss\(reverseSampling ? ", reverse scheduled sampling" : ""))",
            tolerance: tolerance, comparisons: comparisons, skippedParameters: skipped,
            uncompared: uncompared(fixture, comparisons))
    }

    /// Loads the fixture's parameters by name. Fixture parameters the model lacks are skipped
    /// when the sidecar lists them as unused in the forward pass, and an error otherwise.
    /// Returns the skipped names.
    static func loadParameters(into model: any Layer, from fixture: ReferenceFixture) throws -> [String] {
        let ours = Set(model.namedParameters.map(\.name))
        let unused = Set(fixture.names("params_unused_in_forward") ?? [])
        var skipped: [String] = []
        for name in fixture.names("param_names_in_order") ?? [] where !ours.contains(name) {
            guard unused.contains(name) else {
                throw ReferenceFixtureError(
                    fixture.url.path,
                    "parameter '\(name)' has no counterpart in the model built from the sidecar's config")
            }
            skipped.append(name)
        }
        try model.loadParameters(from: fixture.tensors, source: fixture.url.path)
        return skipped
    }

    // MARK: Components

    /// A component built from a component fixture's config, with its forward on named inputs.
    struct Component {
        let kind: String
        let layer: any Layer
        /// Input names (`input.<name>` in the file) with the channels each must have.
        let inputs: [(name: String, channels: Int)]
        /// The height and width the component was built for, where it has one (LayerNorm).
        var spatialSize: [Int]? = nil
        let forward: ([String: Variable]) -> [String: Variable]
    }

    /// Recognises the component from its config keys (the fixtures have no `model` entry).
    static func component(of fixture: ReferenceFixture) throws -> Component {
        var random = RandomGenerator(seed: 0)
        let config = fixture.config
        if config["inc"] != nil && config["outc"] != nil {
            try expectNeighbourhood3(fixture)
            let channels = try fixture.integer("inc")
            let warp = Warp(inputChannels: channels, outputChannels: try fixture.integer("outc"), using: &random)
            return Component(kind: "component fixture: Warp", layer: warp,
                             inputs: [("x", channels), ("offset", MotionGRU.offsetChannels)]) {
                ["out": warp($0["x"]!, motionFilter: $0["offset"]!)]
            }
        }
        if config["motion_hidden"] != nil {
            try expectNeighbourhood3(fixture)
            guard try fixture.integer("motion_hidden") == MotionGRU.offsetChannels else {
                throw ReferenceFixtureError(fixture.sidecarURL.path,
                                            "motion_hidden must be \(MotionGRU.offsetChannels) (2·3² offsets)")
            }
            let channels = try fixture.integer("in_channel")
            let motionGRU = MotionGRU(channels: channels, using: &random)
            return Component(kind: "component fixture: MotionGRU (α = 0.5)", layer: motionGRU,
                             inputs: [("x_t", channels), ("pre_offset", MotionGRU.offsetChannels),
                                      ("mean", MotionGRU.offsetChannels)]) {
                let (warped, filter, trend) = motionGRU($0["x_t"]!, previousFilter: $0["pre_offset"]!,
                                                        previousTrend: $0["mean"]!)
                return ["x": warped, "offset": filter, "mean": trend]
            }
        }
        if config["num_hidden"] != nil && config["in_channel"] != nil && config["filter_size"] != nil {
            guard try fixture.integer("stride", default: 1) == 1 else {
                throw ReferenceFixtureError(fixture.sidecarURL.path, "config stride ≠ 1 is not supported by this build")
            }
            let layerNorm = try fixture.flag("layer_norm")
            let shape = layerNorm ? (try fixture.integer("height"), try fixture.integer("width")) : nil
            let (channels, hidden) = (try fixture.integer("in_channel"), try fixture.integer("num_hidden"))
            let cell = SpatioTemporalLSTMCell(
                inputChannels: channels, hiddenChannels: hidden,
                filterSize: try fixture.integer("filter_size"), layerNormShape: shape, using: &random)
            return Component(kind: "component fixture: ST-LSTM cell with Motion Highway", layer: cell,
                             inputs: [("x_t", channels), ("h_t", hidden), ("c_t", hidden), ("m_t", hidden),
                                      ("motion_highway", hidden)],
                             spatialSize: shape.map { [$0.0, $0.1] }) {
                let (next, outputGate) = cell($0["x_t"]!, .init(hidden: $0["h_t"]!, cell: $0["c_t"]!, memory: $0["m_t"]!))
                let hidden = motionHighway(next.hidden, outputGate: outputGate, below: $0["motion_highway"]!)
                return ["h": hidden, "c": next.cell, "m": next.memory, "motion_highway": hidden]
            }
        }
        throw ReferenceFixtureError(
            fixture.sidecarURL.path,
            "config has no 'model': a component fixture, but not one this tool knows (Warp: inc/outc; MotionGRU: motion_hidden; ST-LSTM with highway: in_channel/num_hidden/filter_size)")
    }

    static func expectNeighbourhood3(_ fixture: ReferenceFixture) throws {
        if try fixture.integer("neighbour", default: 3) != 3 {
            throw ReferenceFixtureError(fixture.sidecarURL.path, "only the 3×3 neighbourhood is supported (config neighbour)")
        }
    }

    static func verifyComponent(_ fixture: ReferenceFixture, tolerance: Double) throws -> ReferenceReport {
        let component = try component(of: fixture)
        let skipped = try loadParameters(into: component.layer, from: fixture)
        var inputs: [String: Variable] = [:]
        for (name, _) in component.inputs {
            inputs[name] = Variable(try fixture.tensor("input.\(name)"), requiresGrad: true, name: name)
        }
        try checkInputShapes(component, inputs, fixture)
        let outputs = component.forward(inputs)
        var comparisons: [ReferenceReport.Comparison] = []
        var loss: Variable?
        for (name, output) in outputs.sorted(by: { $0.key < $1.key }) {
            guard fixture.tensors["output.\(name)"] != nil else { continue }
            comparisons.append(try compare("output.\(name)", output.value, fixture, tolerance))
            guard let weight = fixture.tensors["loss_weight.\(name)"] else { continue }
            guard weight.shape == output.shape else {
                throw ReferenceFixtureError(fixture.url.path,
                                            "loss_weight.\(name) has shape \(weight.shape), the output has \(output.shape)")
            }
            let term = sum(output * Variable(weight))
            loss = loss.map { $0 + term } ?? term
        }
        guard let loss else {
            throw ReferenceFixtureError(fixture.url.path, "no loss_weight.* tensor for any output of the \(component.kind)")
        }
        comparisons.append(try compare("output.loss", loss.value, fixture, tolerance))
        loss.backward()
        for (name, parameter) in component.layer.namedParameters {
            comparisons.append(try compare("grad.\(name)", parameter.grad ?? Tensor(zeros: parameter.shape),
                                           fixture, tolerance))
        }
        for (name, _) in component.inputs {
            let input = inputs[name]!
            comparisons.append(try compare("grad.input.\(name)", input.grad ?? Tensor(zeros: input.shape),
                                           fixture, tolerance))
        }
        return ReferenceReport(fixture: fixture.url.lastPathComponent, kind: component.kind, tolerance: tolerance,
                               comparisons: comparisons, skippedParameters: skipped,
                               uncompared: uncompared(fixture, comparisons))
    }

    /// Component inputs come straight from the file: check they fit the component and each
    /// other here, with a message, before an op's precondition would stop the process.
    static func checkInputShapes(_ component: Component, _ inputs: [String: Variable],
                                 _ fixture: ReferenceFixture) throws {
        let first = inputs[component.inputs[0].name]!.shape
        if let size = component.spatialSize, first.count == 4, Array(first.suffix(2)) != size {
            throw ReferenceFixtureError(
                fixture.url.path,
                "input.\(component.inputs[0].name) has shape \(first), the config's layer norm is for \(size[0])×\(size[1])")
        }
        for (name, channels) in component.inputs {
            let shape = inputs[name]!.shape
            guard shape.count == 4, first.count == 4, shape[1] == channels,
                  shape[0] == first[0], shape[2] == first[2], shape[3] == first[3] else {
                throw ReferenceFixtureError(
                    fixture.url.path,
                    "input.\(name) has shape \(shape); the \(component.kind) expects NCHW with \(channels) channels and the batch and size of input.\(component.inputs[0].name) \(first)")
            }
        }
    }

    // MARK: Comparing

    static func compare(_ name: String, _ ours: Tensor, _ fixture: ReferenceFixture,
                        _ tolerance: Double) throws -> ReferenceReport.Comparison {
        let reference = try fixture.tensor(name)
        // Losses are rank 0 here and [1] in the fixtures.
        let value = ours.count == 1 && reference.count == 1 ? ours.reshaped(reference.shape) : ours
        guard value.shape == reference.shape else {
            throw ReferenceFixtureError(fixture.url.path, "\(name) has shape \(reference.shape), ours has \(ours.shape)")
        }
        let largestDifference = value.maxAbsoluteDifference(to: reference)   // a NaN never passes
        let largestReference = reference.maxAbsoluteValue
        if largestReference > 0 {
            let relative = largestDifference / largestReference
            return .init(name: name, maxAbsoluteError: largestDifference, relativeError: relative,
                         passed: relative <= tolerance)
        }
        return .init(name: name, maxAbsoluteError: largestDifference, relativeError: nil,
                     passed: largestDifference <= zeroReferenceBound)
    }

    /// Outputs and traces the fixture holds that were not compared (traces are intermediate
    /// states the models do not expose).
    static func uncompared(_ fixture: ReferenceFixture, _ comparisons: [ReferenceReport.Comparison]) -> [String] {
        let parameters = fixture.names("param_names_in_order") ?? []
        // Parameters (MotionGRU's own `output.*`) and the gradients of skipped ones are no results.
        let ignored = Set(comparisons.map(\.name) + parameters + parameters.map { "grad." + $0 })
        return fixture.file.names.filter {
            ($0.hasPrefix("output.") || $0.hasPrefix("trace.") || $0.hasPrefix("grad.")) && !ignored.contains($0)
        }
    }
}

/// The outcome of `ReferenceVerifier.verify`: one comparison per checked tensor.
public struct ReferenceReport: Sendable {
    public struct Comparison: Sendable {
        public let name: String
        /// max |ours − ref|.
        public let maxAbsoluteError: Double
        /// max |ours − ref| / max |ref|; nil where the reference is all zero.
        public let relativeError: Double?
        public let passed: Bool
    }

    public let fixture: String
    /// What was built: "full model MotionRNN-PredRNN (…)", "component fixture: Warp".
    public let kind: String
    public let tolerance: Double
    public let comparisons: [Comparison]
    /// Fixture parameters unused in the reference forward pass that our model does not have.
    public let skippedParameters: [String]
    /// Fixture outputs, gradients and traces that were not compared.
    public let uncompared: [String]

    public var failures: [Comparison] { comparisons.filter { !$0.passed } }
    public var passed: Bool { !comparisons.isEmpty && failures.isEmpty }

    /// The comparison with the largest relative error (all-zero references rank by absolute error).
    public var worst: Comparison? {
        comparisons.max { ($0.relativeError ?? $0.maxAbsoluteError) < ($1.relativeError ?? $1.maxAbsoluteError) }
    }

    /// One line per tensor: name, max abs error, relative error, PASS/FAIL.
    public func table() -> String {
        let width = max("tensor".count, comparisons.map(\.name.count).max() ?? 0)
        func pad(_ text: String, _ count: Int) -> String { text + String(repeating: " ", count: max(0, count - text.count)) }
        var lines = [pad("tensor", width) + "  max abs error  relative error  result"]
        for comparison in comparisons {
            let relative = comparison.relativeError.map { String(format: "%.3e", $0) } ?? "(ref = 0)"
            lines.append(pad(comparison.name, width) + "  " + pad(String(format: "%.3e", comparison.maxAbsoluteError), 13)
                         + "  " + pad(relative, 14) + "  " + (comparison.passed ? "pass" : "FAIL"))
        }
        return lines.joined(separator: "\n")
    }

    /// The verdict in one line, then notes on what was skipped.
    public var summary: String {
        var line = "\(fixture) (\(kind)): " + (passed ? "PASS" : "FAIL")
        line += ", \(comparisons.count - failures.count)/\(comparisons.count) tensors within \(String(format: "%g", tolerance))"
        if let worst {
            let error = worst.relativeError.map { String(format: "relative error %.3e", $0) }
                ?? String(format: "absolute error %.3e (zero reference)", worst.maxAbsoluteError)
            line += "; worst \(error) (\(worst.name))"
        }
        if !failures.isEmpty {
            line += "; failed: " + failures.prefix(5).map(\.name).joined(separator: ", ")
                + (failures.count > 5 ? " and \(failures.count - 5) more" : "")
        }
        var notes = [line]
        if !skippedParameters.isEmpty {
            notes.append("skipped \(skippedParameters.count) parameter(s) unused in the reference forward pass: "
                         + skippedParameters.joined(separator: ", "))
        }
        if !uncompared.isEmpty {
            let traces = uncompared.filter { $0.hasPrefix("trace.") }
            let others = uncompared.filter { !$0.hasPrefix("trace.") }
            if !traces.isEmpty {
                notes.append("not compared: \(traces.count) trace.* tensor(s) (intermediate states)")
            }
            if !others.isEmpty { notes.append("not compared: " + others.joined(separator: ", ")) }
        }
        return notes.joined(separator: "\n")
    }
}
