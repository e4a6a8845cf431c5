import Engine
import Foundation
import Layers
import Testing

@Suite struct AdamTests {
    /// The PyTorch Adam update written out in Double, one parameter at a time, with per-parameter
    /// step counts (a parameter without a gradient is skipped and its count does not advance).
    struct ReferenceAdam {
        var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0.0
        var values: [[Double]]
        var m: [[Double]], v: [[Double]], t: [Int]

        init(_ parameters: [Variable]) {
            values = parameters.map { $0.value.scalars.map(Double.init) }
            m = values.map { [Double](repeating: 0, count: $0.count) }
            v = m
            t = Array(repeating: 0, count: values.count)
        }

        mutating func step(gradients: [[Float]?], learningRate lr: Double) {
            for (k, gradient) in gradients.enumerated() {
                guard let gradient else { continue }
                t[k] += 1
                for i in values[k].indices {
                    let g = Double(gradient[i]) + weightDecay * values[k][i]
                    m[k][i] = beta1 * m[k][i] + (1 - beta1) * g
                    v[k][i] = beta2 * v[k][i] + (1 - beta2) * g * g
                    let mHat = m[k][i] / (1 - pow(beta1, Double(t[k])))
                    let vHat = v[k][i] / (1 - pow(beta2, Double(t[k])))
                    values[k][i] -= lr * mHat / (vHat.squareRoot() + epsilon)
                }
            }
        }
    }

    private func parameter(_ shape: [Int], seed: UInt64, name: String = "") -> Variable {
        var generator = RandomGenerator(seed: seed)
        return Variable(Tensor.uniform(shape: shape, low: -1, high: 1, using: &generator),
                        requiresGrad: true, name: name)
    }

    /// Gradient of ½‖p − target‖² plus a wobble, so steps differ in size and sign.
    private func gradient(of parameter: Variable, step: Int) -> [Float] {
        parameter.value.scalars.enumerated().map { i, p in
            p - 0.3 + 0.5 * Float(sin(Double(i * 7 + step * 3)))
        }
    }

    /// Runs `steps` steps on both, giving `parameters[k]` no gradient where `skip(step, k)`.
    private func runAndCompare(_ adam: Adam, _ reference: inout ReferenceAdam, steps: Range<Int>,
                               learningRate: (Int) -> Double = { _ in 1e-2 },
                               skip: (Int, Int) -> Bool = { _, _ in false },
                               tolerance: Double = 2e-6) {
        let parameters = adam.parameters
        for step in steps {
            adam.zeroGradients()
            var gradients: [[Float]?] = []
            for (k, parameter) in parameters.enumerated() {
                if skip(step, k) { gradients.append(nil); continue }
                let g = gradient(of: parameter, step: step)
                parameter.accumulateGrad(fresh: Tensor(shape: parameter.shape, scalars: g))
                gradients.append(g)
            }
            adam.learningRate = learningRate(step)
            adam.step()
            reference.step(gradients: gradients, learningRate: learningRate(step))
            for (k, parameter) in parameters.enumerated() {
                let worst = zip(parameter.value.scalars, reference.values[k])
                    .map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
                #expect(worst < tolerance, "step \(step), parameter \(k): error \(worst)")
            }
        }
    }

    @Test func matchesTheReferenceRuleOverSeveralSteps() {
        // 21 elements: the SIMD body and the scalar tail both run.
        let parameters = [parameter([3, 7], seed: 1), parameter([5], seed: 2), parameter([2, 2], seed: 3)]
        let adam = Adam(parameters: parameters, learningRate: 1e-2)
        var reference = ReferenceAdam(parameters)
        let storages = parameters.map { ObjectIdentifier($0.value.storage) }
        // Learning rate changed between steps; parameter 2 has no gradient at step 2.
        runAndCompare(adam, &reference, steps: 0..<6,
                      learningRate: { $0 < 3 ? 1e-2 : 3e-3 }, skip: { $0 == 2 && $1 == 2 })
        #expect(adam.stepCount(ofParameter: 0) == 6)
        #expect(adam.stepCount(ofParameter: 2) == 5)
        // Updated in place: each parameter keeps its storage.
        #expect(parameters.map { ObjectIdentifier($0.value.storage) } == storages)
        // And it actually moved.
        #expect(parameters[0].value.scalars.map(Double.init) != ReferenceAdam([parameter([3, 7], seed: 1)]).values[0])
    }

    @Test func weightDecayIsAddedToTheGradient() {
        let parameters = [parameter([19], seed: 4), parameter([8], seed: 5)]
        let adam = Adam(parameters: parameters, learningRate: 5e-2, weightDecay: 0.1)
        var reference = ReferenceAdam(parameters)
        reference.weightDecay = 0.1
        runAndCompare(adam, &reference, steps: 0..<5)

        // Without decay the result differs, so the decay term is really applied.
        let plain = [parameter([19], seed: 4), parameter([8], seed: 5)]
        let plainAdam = Adam(parameters: plain, learningRate: 5e-2)
        var plainReference = ReferenceAdam(plain)
        runAndCompare(plainAdam, &plainReference, steps: 0..<5)
        #expect(plain[0].value.scalars != parameters[0].value.scalars)
    }

    @Test func otherHyperparameters() {
        // β1 < ½ takes the other branch of PyTorch's lerp; a large ε dominates small √v̂.
        let parameters = [parameter([13], seed: 6)]
        let adam = Adam(parameters: parameters, learningRate: 1e-1, beta1: 0.3, beta2: 0.9,
                        epsilon: 1e-2)
        var reference = ReferenceAdam(parameters)
        reference.beta1 = 0.3
        reference.beta2 = 0.9
        reference.epsilon = 1e-2
        runAndCompare(adam, &reference, steps: 0..<5)
    }

    @Test func largeParameterSplitAcrossCores() {
        let parameters = [parameter([200_003], seed: 7)]
        let adam = Adam(parameters: parameters, learningRate: 1e-3)
        var reference = ReferenceAdam(parameters)
        runAndCompare(adam, &reference, steps: 0..<2)
    }

    @Test func zeroGradientsClearsEveryGradient() {
        let parameters = [parameter([2], seed: 1), parameter([3], seed: 2)]
        for p in parameters { p.accumulateGrad(fresh: Tensor(repeating: 1, shape: p.shape)) }
        let adam = Adam(parameters: parameters)
        adam.zeroGradients()
        #expect(parameters.allSatisfy { $0.grad == nil })
        // A step with no gradients changes nothing and creates no state.
        let before = parameters.map(\.value.scalars)
        adam.step()
        #expect(parameters.map(\.value.scalars) == before)
        #expect(adam.stateTensors().isEmpty)
    }

    // MARK: Checkpoint state

    /// Feeds the same gradients to two optimisers' parameters.
    private func step(_ adams: [Adam], step: Int, skipLast: Bool) {
        for adam in adams {
            adam.zeroGradients()
            for (k, parameter) in adam.parameters.enumerated() where !(skipLast && k == adam.parameters.count - 1) {
                parameter.accumulateGrad(fresh: Tensor(shape: parameter.shape,
                                                       scalars: gradient(of: parameter, step: step)))
            }
            adam.step()
        }
    }

    @Test func savedStateResumesIdentically() throws {
        let shapes = [[4, 5], [9], [3]]
        let original = shapes.enumerated().map { parameter($1, seed: UInt64($0 + 20)) }
        let adam = Adam(parameters: original, learningRate: 2e-2, weightDecay: 0.01)
        for s in 0..<3 { step([adam], step: s, skipLast: true) }  // the last never gets a gradient

        let state = adam.stateTensors()
        #expect(Set(state.keys) == ["step.0", "exp_avg.0", "exp_avg_sq.0",
                                    "step.1", "exp_avg.1", "exp_avg_sq.1"])
        #expect(state["step.0"]?.scalars == [3])

        // Through a safetensors file, as a checkpoint would store it.
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("adam-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafetensorsFile.write(state, to: url)
        let loaded = try SafetensorsFile.read(from: url).tensors

        let copies = original.map { Variable($0.value.copy(), requiresGrad: true) }
        let resumed = Adam(parameters: copies, learningRate: 2e-2, weightDecay: 0.01)
        try resumed.loadState(loaded)
        for s in 3..<6 { step([adam, resumed], step: s, skipLast: s == 3) }
        for (a, b) in zip(original, copies) {
            #expect(a.value.scalars.map(\.bitPattern) == b.value.scalars.map(\.bitPattern))
        }
        #expect(resumed.stepCount(ofParameter: 0) == 6 && resumed.stepCount(ofParameter: 2) == 2)

        // The exported state is a copy: later steps do not change it.
        #expect(state["step.0"]?.scalars == [3])
        #expect(state["exp_avg.0"]?.scalars == loaded["exp_avg.0"]?.scalars)
    }

    @Test func stateKeyedByNames() throws {
        let a = parameter([2], seed: 1), b = parameter([3], seed: 2)
        let adam = Adam(namedParameters: [("enc.weight", a), ("enc.bias", b)])
        step([adam], step: 0, skipLast: false)
        #expect(Set(adam.stateTensors().keys) == ["step.enc.weight", "exp_avg.enc.weight",
                                                  "exp_avg_sq.enc.weight", "step.enc.bias",
                                                  "exp_avg.enc.bias", "exp_avg_sq.enc.bias"])
    }

    @Test func mismatchedStateIsRejectedAndChangesNothing() {
        let source = Adam(parameters: [parameter([4], seed: 1), parameter([2], seed: 2)])
        step([source], step: 0, skipLast: false)
        let good = source.stateTensors()

        let target = Adam(parameters: [parameter([4], seed: 1), parameter([3], seed: 2)])
        #expect(throws: OptimizerStateError.self) { try target.loadState(good) }  // shape [2] vs [3]
        var unexpected = good
        unexpected["exp_avg.9"] = Tensor(zeros: [4])
        #expect(throws: OptimizerStateError.self) { try source.loadState(unexpected) }
        var incomplete = good
        incomplete["exp_avg_sq.1"] = nil
        #expect(throws: OptimizerStateError.self) { try source.loadState(incomplete) }
        var fractional = good
        fractional["step.0"] = Tensor(shape: [1], scalars: [1.5])
        #expect(throws: OptimizerStateError.self) { try source.loadState(fractional) }
        // Failed loads left the source's state intact.
        #expect(source.stateTensors().mapValues(\.scalars) == good.mapValues(\.scalars))
        #expect(target.stateTensors().isEmpty)
    }
}
