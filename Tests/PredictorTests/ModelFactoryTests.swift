import Cells
import Engine
import Foundation
import Layers
import Predictor
import Verification
import Testing
import TestSupport

/// Building models from configurations: validation (errors name the field), the official
/// parameter names and counts, and the multiply-add count of a whole model.
@Suite struct ModelFactoryTests {
    /// The shared fixtures' setting: 16×16×1, patch 2, 3 × 8 channels, filter 3, 3 → 3.
    func small(_ backbone: ModelConfiguration.BackboneKind = .predrnn,
               motion: MotionRNNOptions = .full) -> ModelConfiguration {
        ModelConfiguration(backbone: backbone, motion: motion, imageHeight: 16, imageWidth: 16,
                           imageChannels: 1, patchSize: 2, hiddenChannels: [8, 8, 8], filterSize: 3,
                           inputLength: 3, totalLength: 6)
    }

    func expectInvalid(_ configuration: ModelConfiguration, field: String, mentioning text: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ModelFactory.make(configuration, seed: 1)
            Issue.record("expected an error about \(field)", sourceLocation: sourceLocation)
        } catch let error as ModelConfigurationError {
            #expect(error.field == field, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func validationNamesTheField() {
        var c = small(); c.imageHeight = 18; c.patchSize = 4
        expectInvalid(c, field: "imageHeight", mentioning: "not divisible by patchSize 4")
        c = small(); c.imageWidth = 15
        expectInvalid(c, field: "imageWidth", mentioning: "15 is not divisible")
        c = small(); c.patchSize = 0
        expectInvalid(c, field: "patchSize", mentioning: "at least 1")
        c = small(); c.hiddenChannels = []
        expectInvalid(c, field: "hiddenChannels", mentioning: "at least one layer")
        c = small(); c.filterSize = 4
        expectInvalid(c, field: "filterSize", mentioning: "odd")
        c = small(); c.totalLength = 3
        expectInvalid(c, field: "totalLength", mentioning: "must exceed inputLength 3")
        c = small(); c.inputLength = 0
        expectInvalid(c, field: "inputLength", mentioning: "at least 1")
        c = small(motion: .none); c.hiddenChannels = [8, 16, 8]
        expectInvalid(c, field: "hiddenChannels", mentioning: "zig-zag memory")
        c = small(.mim, motion: .none); c.layerNorm = true
        expectInvalid(c, field: "layerNorm", mentioning: "only defined for the PredRNN, PredRNN-v2 and ConvLSTM")
    }

    @Test func motionRNNNeedsWidthsDivisibleByFourAndEvenStates() {
        var c = small(); c.hiddenChannels = [6, 6, 6]
        expectInvalid(c, field: "hiddenChannels", mentioning: "multiple of 4")
        // Plain PredRNN has no such constraint.
        c.motion = .none
        #expect(throws: Never.self) { try ModelFactory.make(c, seed: 1) }
        // 12×12 in patches of 2 → 6×6: fine; patches of 4 → 3×3: odd.
        c = small(); c.imageHeight = 12; c.imageWidth = 12; c.patchSize = 4
        expectInvalid(c, field: "imageHeight", mentioning: "must be even")
        c.motion = MotionRNNOptions(highway: true, transient: false, trend: false)   // highway only: no MotionGRU
        #expect(throws: Never.self) { try ModelFactory.make(c, seed: 1) }
        // The highway adds layer l−1's state into layer l's.
        c = small(.convlstm, motion: MotionRNNOptions(highway: true, transient: false, trend: false))
        c.hiddenChannels = [8, 16]
        expectInvalid(c, field: "hiddenChannels", mentioning: "Motion Highway")
        c.motion.alpha = .nan; c.motion.highway = false; c.motion.trend = true; c.hiddenChannels = [8, 8]
        expectInvalid(c, field: "motion.alpha", mentioning: "finite")
    }

    @Test func motionBoundIsCheckedAndNamed() throws {
        for bad: Float in [0, -1, .nan, .infinity] {
            var c = small(); c.motion.bound = bad
            expectInvalid(c, field: "motion.bound", mentioning: "positive")
        }
        var c = small(motion: .none); c.motion.bound = 2
        expectInvalid(c, field: "motion.bound", mentioning: "no MotionGRU")
        c = small(); c.motion.bound = 2
        #expect(throws: Never.self) { try ModelFactory.make(c, seed: 1) }
        #expect(c.name == "motionrnn-predrnn+bounded")
        #expect(c.displayName == "MotionRNN-PredRNN, motion within ±2 cells")
        c.motion.bound = 0.5
        #expect(c.displayName == "MotionRNN-PredRNN, motion within ±0.5 cells")
        // No parameters of its own: the same seed builds the same parameters.
        let bounded = try ModelFactory.make(c, seed: 3), paper = try ModelFactory.make(small(), seed: 3)
        #expect(bounded.namedParameters.map(\.name) == paper.namedParameters.map(\.name))
        #expect(bounded.parameters.map(\.value.scalars) == paper.parameters.map(\.value.scalars))
    }

    /// Unset, the bound is left out of the saved configuration, so files made before it exist
    /// read as they did and are written as they were.
    @Test func anUnsetBoundIsNotWritten() throws {
        let json = String(decoding: try JSONEncoder().encode(small()), as: UTF8.self)
        #expect(json.contains("\"alpha\"") && !json.contains("bound"))
        var c = small(); c.motion.bound = 2
        let decoded = try JSONDecoder().decode(ModelConfiguration.self, from: JSONEncoder().encode(c))
        #expect(decoded.motion.bound == 2)
    }

    @Test func everyBackboneBuildsPlainAndWithMotionRNN() throws {
        for backbone in ModelConfiguration.BackboneKind.allCases {
            for motion in [MotionRNNOptions.none, .full] {
                let model = try ModelFactory.make(small(backbone, motion: motion), seed: 1)
                #expect(model.namedParameters.contains { $0.name.hasPrefix("motion_list.") } == (motion == .full))
            }
        }
    }

    /// Every model runs on sequences longer than it was configured for (`predict --frames`), and
    /// the steps both runs share come out the same.
    @Test func everyModelPredictsPastItsConfiguredLength() throws {
        for backbone in ModelConfiguration.BackboneKind.allCases {
            for motion in [MotionRNNOptions.none, .full] {
                let configuration = small(backbone, motion: motion)
                let model = try ModelFactory.make(configuration, seed: 1)
                let frames = Tensor(shape: [1, 11, 8, 8, 4], scalars: (0..<(11 * 256)).map { Float($0 % 7) / 7 })
                let (short, long) = withoutGradients {
                    (model.predict(frames: Variable(slice(Variable(frames), range: 0..<6, axis: 1).value), mask: nil,
                                   inputLength: 3).value,
                     model.predict(frames: Variable(frames), mask: nil, inputLength: 3).value)
                }
                #expect(long.shape == [1, 10, 8, 8, 4], "\(backbone) \(motion)")
                let shared = slice(Variable(long), range: 0..<5, axis: 1).value
                #expect(shared.scalars == short.scalars, "\(backbone) \(motion)")
            }
        }
    }

    /// Reverse scheduled sampling feeds the model with a mask from input 1 on (`inputLength: 1`,
    /// as the official model's `t == 0` case): where the mask is 1 the true frame goes in, where
    /// it is 0 the model's own last prediction, in the input window as well.
    @Test func aMaskFromInputOneMixesPredictionsIntoTheInputWindow() throws {
        let frames = Tensor(shape: [1, 6, 8, 8, 4], scalars: (0..<(6 * 256)).map { Float($0 % 11) / 11 })
        func mask(_ steps: [Float]) -> Variable {
            Variable(Tensor(shape: [1, steps.count, 8, 8, 4], scalars: steps.flatMap { Array(repeating: $0, count: 256) }))
        }
        for backbone in ModelConfiguration.BackboneKind.allCases {
            let model = try ModelFactory.make(small(backbone), seed: 1)
            withoutGradients {
                // True frames at inputs 1 and 2: the ordinary mask over the prediction window.
                let ordinary = model.predict(frames: Variable(frames), mask: mask([0, 1]), inputLength: 3).value
                let fromOne = model.predict(frames: Variable(frames), mask: mask([1, 1, 0, 1]), inputLength: 1).value
                #expect(fromOne.scalars == ordinary.scalars, "\(backbone)")
                // Its own prediction at input 1: as if frame 1 were that prediction.
                let ownAtOne = model.predict(frames: Variable(frames), mask: mask([0, 1, 1, 1]), inputLength: 1).value
                var replaced = frames
                let firstPrediction = slice(Variable(ownAtOne), range: 0..<1, axis: 1).value
                replaced.withUnsafeMutableBufferPointer { values in
                    for i in 0..<256 { values[256 + i] = firstPrediction.scalars[i] }
                }
                let teacherForced = model.predict(frames: Variable(replaced), mask: nil, inputLength: 5).value
                #expect(ownAtOne.scalars == teacherForced.scalars, "\(backbone)")
                #expect(ownAtOne.scalars != ordinary.scalars, "\(backbone)")
            }
        }
    }

    @Test func buildsOfficialParameterNames() throws {
        for (fixture, motion) in [("motionrnn_predrnn_small", MotionRNNOptions.full), ("predrnn_small", .none)] {
            let sidecar = try JSONSerialization.jsonObject(
                with: Data(contentsOf: Fixtures.url("\(fixture).json"))) as! [String: Any]
            let model = try ModelFactory.make(small(motion: motion), seed: 1)
            // Same names (the official order is PyTorch's registration order, ours goes layer by layer).
            let names = model.namedParameters.map(\.name)
            #expect(Set(names) == Set(sidecar["param_names_in_order"] as! [String]), "\(fixture)")
            #expect(names.count == Set(names).count)
            #expect(model.parameterCount == sidecar["param_count"] as! Int, "\(fixture)")
        }
    }

    /// The baselines' fixtures name every hyper-parameter in their config; the configuration read
    /// from it builds exactly the fixture's parameters.
    @Test(arguments: ["trajgru_small", "convttlstm_small", "convttlstm_steps5_small"])
    func baselineConfigurationsFromFixtures(fixture: String) throws {
        let reference = try ReferenceFixture(contentsOf: Fixtures.url("\(fixture).safetensors"))
        let configuration = try ReferenceVerifier.configuration(of: reference)
        let model = try ModelFactory.make(configuration, seed: 1)
        #expect(model.namedParameters.map(\.name) == reference.names("param_names_in_order"))
        #expect(model.parameterCount == reference.sidecar["param_count"] as? Int)
        for (name, parameter) in model.namedParameters {
            #expect(parameter.shape == reference.tensors[name]?.shape, "\(name)")
        }
    }

    @Test func baselineOptionsAreValidated() {
        var c = small(.trajgru, motion: .none)
        c.trajGRU = TrajGRUOptions(links: [2, 3])
        expectInvalid(c, field: "trajGRU.links", mentioning: "one per layer")
        c.trajGRU = TrajGRUOptions(links: [0])
        expectInvalid(c, field: "trajGRU.links", mentioning: "at least 1")
        c.trajGRU = TrajGRUOptions(flowKernel: 4)
        expectInvalid(c, field: "trajGRU.flowKernel", mentioning: "odd")
        c.trajGRU = TrajGRUOptions(leakySlope: .nan)
        expectInvalid(c, field: "trajGRU.leakySlope", mentioning: "finite")
        c = small(.convttlstm, motion: .none)
        c.convTTLSTM = ConvTTLSTMOptions(order: 3, steps: 2)
        expectInvalid(c, field: "convTTLSTM.steps", mentioning: "order")
        c.convTTLSTM = ConvTTLSTMOptions(ranks: 0)
        expectInvalid(c, field: "convTTLSTM.ranks", mentioning: "at least 1")
        c.convTTLSTM = ConvTTLSTMOptions(kernelSize: 2)
        expectInvalid(c, field: "convTTLSTM.kernelSize", mentioning: "odd")
        c = small(.predrnn, motion: .none)
        c.trajGRU = TrajGRUOptions()
        expectInvalid(c, field: "trajGRU", mentioning: "TrajGRU backbone only")
        // TrajGRU has no highway, so MotionRNN-TrajGRU layers may differ in width.
        c = small(.trajgru, motion: .full)
        c.hiddenChannels = [8, 12]
        #expect(throws: Never.self) { try ModelFactory.make(c, seed: 1) }
    }

    @Test func sameSeedSameModel() throws {
        let a = try ModelFactory.make(small(), seed: 7), b = try ModelFactory.make(small(), seed: 7)
        let c = try ModelFactory.make(small(), seed: 8)
        #expect(a.parameters[0].value.scalars == b.parameters[0].value.scalars)
        #expect(a.parameters[0].value.scalars != c.parameters[0].value.scalars)
    }

    @Test func configurationRoundTripsThroughJSON() throws {
        var c = small(); c.layerNorm = true; c.motion.trend = false
        let decoded = try JSONDecoder().decode(ModelConfiguration.self, from: JSONEncoder().encode(c))
        #expect(decoded == c)
        #expect(c.name == "predrnn+highway+transient")
        #expect(small().name == "motionrnn-predrnn" && small(motion: .none).name == "predrnn")
    }

    @Test func presetsFollowThePaper() throws {
        let human = try ModelConfiguration(model: "motionrnn-predrnn", preset: .human)
        #expect(human == ModelConfiguration(
            backbone: .predrnn, motion: .full, imageHeight: 128, imageWidth: 128, imageChannels: 3,
            patchSize: 4, hiddenChannels: [64, 64, 64, 64], filterSize: 5, inputLength: 4, totalLength: 8))
        let radar = try ModelConfiguration(model: "mim", preset: .radar)
        #expect(radar.backbone == .mim && radar.motion == .none && radar.imageHeight == 64
                && radar.imageChannels == 1 && radar.inputLength == 5 && radar.totalLength == 15)
        #expect(ModelConfiguration.modelNames.count == 14)
        #expect(throws: ModelConfigurationError.self) { try ModelConfiguration(model: "predrnn++", preset: .mnist) }
    }

    /// PredRNN, human preset, counted by hand: per layer conv_x (in→7N), conv_h (N→4N),
    /// conv_m (N→3N), conv_o (2N→N), all 5×5 without bias, conv_last 2N→N 1×1; conv_last of the
    /// model N→Cp. MotionRNN adds per transition (3 of them) enc (5×5, N→N/4, bias), the
    /// MotionGRU's update/reset/output (3×3, N/4+18→18, bias), its warp (3×3 N/4→N/4; gate
    /// 3×3 N/4→9, bias), dec (4×4 transposed N/4→N, bias), gate (5×5, 2N→N, bias), and
    /// conv_first_v (1×1, Cp→N).
    @Test func paperSizedParameterCounts() throws {
        let (n, cp, k) = (64, 48, 25)
        func layer(_ input: Int) -> Int { (input * 7 * n + n * 4 * n + n * 3 * n + 2 * n * n) * k + 2 * n * n }
        let predRNN = layer(cp) + 3 * layer(n) + n * cp
        let q = n / 4
        let transition = (n * q * k + q) + 3 * ((q + 18) * 18 * 9 + 18) + (q * q * 9 + q * 9 * 9 + 9)
            + (q * n * 16 + n) + (2 * n * n * k + n)
        let plain = try ModelFactory.make(ModelConfiguration(model: "predrnn", preset: .human), seed: 1)
        let motion = try ModelFactory.make(ModelConfiguration(model: "motionrnn-predrnn", preset: .human), seed: 1)
        #expect(plain.parameterCount == predRNN)            // 6 410 240
        #expect(motion.parameterCount == predRNN + 3 * transition + cp * n)   // 7 214 657
    }

    /// Without biases every plain-PredRNN weight is used once per patch-space pixel per step
    /// (all convolutions are stride 1, same padding): MACs = parameters · h · w · (T − 1).
    @Test func plainPredRNNMultiplyAddsAreParametersTimesPixelsTimesSteps() throws {
        var c = small(motion: .none); c.totalLength = 5
        let complexity = try ModelComplexity.measure(c)
        #expect(complexity.parameterCount == 26_048)
        #expect(complexity.multiplyAdds == 26_048 * 8 * 8 * 4)
        #expect(complexity.multiplyAddsPerStep == Double(26_048 * 64))
        // MotionRNN adds work (the transitions) but stays within the same order.
        let motion = try ModelComplexity.measure(small())
        #expect(motion.multiplyAdds > 26_048 * 64 * 5 && motion.multiplyAdds < 2 * 49_182 * 64 * 5)
    }
}
