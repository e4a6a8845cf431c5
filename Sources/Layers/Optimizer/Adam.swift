import Engine
import Foundation

/// Adam with the semantics of PyTorch's `torch.optim.Adam` (single-tensor CPU path):
///
///     g ← g + weight_decay · p                  (L2 penalty, not AdamW's decoupled decay)
///     m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
///     p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// with a step count `t` kept per parameter and advanced only on steps where that parameter
/// has a gradient, and moments created (zero) on its first such step. Parameters are updated in
/// place, so each must own its value's storage (not share it with a tensor used elsewhere).
///
/// The only optimiser: the paper and the official code train with Adam alone, so there is no
/// optimiser protocol to choose through (add one with the second optimiser).
public final class Adam {
    /// The parameters, in the order their state is keyed.
    public let parameters: [Variable]
    /// The key of each parameter in `stateTensors()`: its given name, or its index.
    public let stateKeys: [String]
    /// May be changed between steps (learning-rate schedules).
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double

    private var firstMoments: [Tensor?]
    private var secondMoments: [Tensor?]
    private var stepCounts: [Int]

    /// `names`, when given, key the checkpoint state (one unique name per parameter); otherwise
    /// parameters are keyed by their index.
    public init(parameters: [Variable], names: [String]? = nil, learningRate: Double = 1e-3,
                beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        precondition(learningRate >= 0, "Adam: invalid learning rate \(learningRate)")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2),
                     "Adam: invalid betas (\(beta1), \(beta2))")
        precondition(epsilon >= 0, "Adam: invalid epsilon \(epsilon)")
        precondition(weightDecay >= 0, "Adam: invalid weight decay \(weightDecay)")
        for (index, parameter) in parameters.enumerated() {
            precondition(parameter.isLeaf && parameter.requiresGrad,
                         "Adam: parameter \(index) '\(parameter.name)' must be a leaf that requires grad")
        }
        precondition(Set(parameters.map(ObjectIdentifier.init)).count == parameters.count,
                     "Adam: a parameter appears more than once")
        if let names {
            precondition(names.count == parameters.count,
                         "Adam: \(names.count) names for \(parameters.count) parameters")
            precondition(Set(names).count == names.count, "Adam: parameter names are not unique")
            stateKeys = names
        } else {
            stateKeys = parameters.indices.map(String.init)
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoments = Array(repeating: nil, count: parameters.count)
        secondMoments = Array(repeating: nil, count: parameters.count)
        stepCounts = Array(repeating: 0, count: parameters.count)
    }

    /// Keys the state by the layer's parameter names.
    public convenience init(namedParameters: [(name: String, parameter: Variable)],
                            learningRate: Double = 1e-3, beta1: Double = 0.9,
                            beta2: Double = 0.999, epsilon: Double = 1e-8,
                            weightDecay: Double = 0) {
        self.init(parameters: namedParameters.map(\.parameter), names: namedParameters.map(\.name),
                  learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                  weightDecay: weightDecay)
    }

    /// How many updates parameter `index` has received.
    public func stepCount(ofParameter index: Int) -> Int { stepCounts[index] }

    /// Clears every parameter's gradient (sets it to nil, like PyTorch's `set_to_none=True`).
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGrad() }
    }

    /// One update of every parameter that has a gradient; parameters whose `grad` is nil are
    /// left alone, as PyTorch does.
    public func step() {
        for index in parameters.indices {
            let parameter = parameters[index]
            guard let gradient = parameter.grad else { continue }
            assert(parameter.valueHasUniqueStorage(),
                   "Adam: the value of parameter \(stateKeys[index]) shares its storage with another tensor (a reshape or a state-dictionary entry still held); updating it in place would copy it every step")
            if firstMoments[index] == nil {
                firstMoments[index] = Tensor(zeros: parameter.shape)
                secondMoments[index] = Tensor(zeros: parameter.shape)
            }
            stepCounts[index] += 1
            // Scalars in Double, as PyTorch computes them in Python, then rounded to Float
            // where PyTorch's kernels round them.
            let t = Double(stepCounts[index])
            let biasCorrection1 = 1 - Foundation.pow(beta1, t)
            let biasCorrection2 = 1 - Foundation.pow(beta2, t)
            let coefficients = AdamKernel.Coefficients(
                beta1Weight: Float(1 - beta1), beta2: Float(beta2), beta2Weight: Float(1 - beta2),
                stepSize: Float(learningRate / biasCorrection1),
                biasCorrection2Sqrt: Float(biasCorrection2.squareRoot()),
                epsilon: Float(epsilon), weightDecay: Float(weightDecay))
            parameter.updateValueInPlace { value in
                firstMoments[index]!.withUnsafeMutableBufferPointer { m in
                    secondMoments[index]!.withUnsafeMutableBufferPointer { v in
                        withExtendedLifetime(gradient) {
                            AdamKernel.update(parameter: value.baseAddress!, gradient: gradient.pointer,
                                              m: m.baseAddress!, v: v.baseAddress!, count: value.count, coefficients)
                        }
                    }
                }
            }
        }
    }

    // MARK: Checkpoint state

    /// `step.<key>` ([1], the parameter's step count), `exp_avg.<key>` and `exp_avg_sq.<key>`
    /// (copies of the moments) for every parameter that has been updated at least once: all a
    /// checkpoint needs to resume exactly.
    public func stateTensors() -> [String: Tensor] {
        var state: [String: Tensor] = [:]
        for index in parameters.indices {
            guard let m = firstMoments[index], let v = secondMoments[index] else { continue }
            let key = stateKeys[index]
            // A Float32 holds every integer up to 2²⁴ exactly.
            precondition(stepCounts[index] <= 1 << 24,
                         "Adam.stateTensors: step count \(stepCounts[index]) of '\(key)' "
                             + "exceeds what Float32 stores exactly")
            state["step.\(key)"] = Tensor(shape: [1], scalars: [Float(stepCounts[index])])
            state["exp_avg.\(key)"] = m.copy()
            state["exp_avg_sq.\(key)"] = v.copy()
        }
        return state
    }

    /// Restores what `stateTensors()` returned; throws (changing nothing) if it does not fit.
    public func loadState(_ state: [String: Tensor]) throws {
        let indexOfKey = Dictionary(uniqueKeysWithValues: stateKeys.enumerated().map { ($1, $0) })
        for name in state.keys {
            let key = ["step.", "exp_avg.", "exp_avg_sq."].lazy
                .compactMap { name.hasPrefix($0) ? String(name.dropFirst($0.count)) : nil }.first
            guard let key, indexOfKey[key] != nil else {
                throw OptimizerStateError("Adam.loadState: unexpected entry '\(name)'")
            }
        }
        var newM = [Tensor?](repeating: nil, count: parameters.count)
        var newV = [Tensor?](repeating: nil, count: parameters.count)
        var newSteps = [Int](repeating: 0, count: parameters.count)
        for (index, key) in stateKeys.enumerated() {
            let step = state["step.\(key)"], m = state["exp_avg.\(key)"], v = state["exp_avg_sq.\(key)"]
            if step == nil && m == nil && v == nil { continue }  // never updated
            guard let step, let m, let v else {
                throw OptimizerStateError(
                    "Adam.loadState: parameter '\(key)' needs step, exp_avg and exp_avg_sq together")
            }
            guard step.count == 1, let count = Int(exactly: step.pointer[0]), count >= 1 else {
                throw OptimizerStateError(
                    "Adam.loadState: step of '\(key)' must be one positive integer, got \(step)")
            }
            let shape = parameters[index].shape
            guard m.shape == shape, v.shape == shape else {
                throw OptimizerStateError(
                    "Adam.loadState: moments of '\(key)' have shapes \(m.shape) and \(v.shape), "
                        + "parameter has \(shape)")
            }
            // Own copies: the moments are updated in place.
            newM[index] = m.copy()
            newV[index] = v.copy()
            newSteps[index] = count
        }
        firstMoments = newM
        secondMoments = newV
        stepCounts = newSteps
    }
}

/// The fused per-element Adam update, SIMD over 8 lanes, split across cores for big tensors.
enum AdamKernel {
    struct Coefficients {
        var beta1Weight: Float, beta2: Float, beta2Weight: Float
        var stepSize: Float, biasCorrection2Sqrt: Float, epsilon: Float, weightDecay: Float
    }

    static func update(parameter p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
                       m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                       count: Int, _ c: Coefficients) {
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (g, m, p, v) = (g, m, p, v)
        Parallel.forRanges(count, minimumPerTask: 65_536) { range in
            var i = range.lowerBound
            // Same operation order as PyTorch's CPU kernels: lerp for m (weight 1−β1 < ½ ⇒
            // m + w·(g − m)), mul then addcmul for v, (√v / √bc2) + ε, then addcdiv.
            let w1 = SIMD8<Float>(repeating: c.beta1Weight)
            let b2 = SIMD8<Float>(repeating: c.beta2), w2 = SIMD8<Float>(repeating: c.beta2Weight)
            let negStep = SIMD8<Float>(repeating: -c.stepSize)
            let bc2 = SIMD8<Float>(repeating: c.biasCorrection2Sqrt)
            let eps = SIMD8<Float>(repeating: c.epsilon), wd = SIMD8<Float>(repeating: c.weightDecay)
            let largeWeight = c.beta1Weight >= 0.5
            let decay = c.weightDecay != 0
            while i &+ 8 <= range.upperBound {
                var pi = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
                var gi = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
                var mi = UnsafeRawPointer(m + i).loadUnaligned(as: SIMD8<Float>.self)
                var vi = UnsafeRawPointer(v + i).loadUnaligned(as: SIMD8<Float>.self)
                if decay { gi = gi + wd * pi }
                mi = largeWeight ? gi - (gi - mi) * (1 - w1) : mi + w1 * (gi - mi)
                vi = vi * b2
                vi = vi + w2 * gi * gi
                let denominator = vi.squareRoot() / bc2 + eps
                pi = pi + negStep * mi / denominator
                UnsafeMutableRawPointer(p + i).storeBytes(of: pi, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: SIMD8<Float>.self)
                i &+= 8
            }
            while i < range.upperBound {
                var gi = g[i]
                if decay { gi = gi + c.weightDecay * p[i] }
                let w = c.beta1Weight
                m[i] = largeWeight ? gi - (gi - m[i]) * (1 - w) : m[i] + w * (gi - m[i])
                v[i] = v[i] * c.beta2
                v[i] = v[i] + c.beta2Weight * gi * gi
                let denominator = v[i].squareRoot() / c.biasCorrection2Sqrt + c.epsilon
                p[i] = p[i] + -c.stepSize * m[i] / denominator
                i &+= 1
            }
        }
    }
}
