import Engine
import Testing

/// Deterministic pseudo-random numbers for tests (SplitMix64), so failures reproduce.
public struct TestRandom {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float = -1, _ high: Float = 1) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }

    public mutating func tensor(_ shape: [Int], _ low: Float = -1, _ high: Float = 1) -> Tensor {
        Tensor(shape: shape, scalars: (0..<Shape.elementCount(shape)).map { _ in uniform(low, high) })
    }
}

/// Finite-difference gradient check in Float32 with a stated tolerance.
///
/// The scalar checked is L = Σ f(inputs) ⊙ W for a fixed random W (a vector-Jacobian product
/// with random weights, so every output element matters). For each input element the analytic
/// dL/dx from `backward()` is compared with the central difference (L(x+h) − L(x−h)) / 2h,
/// L accumulated in Double. Passes when |analytic − numeric| ≤ atol + rtol·|numeric| everywhere.
/// Float32 forward passes limit the precision of the difference quotient to about 1e-3
/// relative at h = 1e-2, so the default tolerances are atol 2e-3, rtol 2e-2.
public func checkGradients(
    _ inputs: [Tensor],
    step: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 2e-2,
    seed: UInt64 = 99,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ function: ([Variable]) -> Variable
) {
    var random = TestRandom(seed: seed)
    let probe = function(inputs.map { Variable($0) })
    let weights = random.tensor(probe.shape)

    func weightedSum(_ values: [Tensor]) -> Double {
        let output = withoutGradients { function(values.map { Variable($0) }) }.value
        var total = 0.0
        for i in 0..<output.count { total += Double(output.pointer[i]) * Double(weights.pointer[i]) }
        return total
    }

    let variables = inputs.map { Variable($0.copy(), requiresGrad: true) }
    function(variables).backward(seed: weights)

    for (inputIndex, input) in inputs.enumerated() {
        let analytic = variables[inputIndex].grad ?? Tensor(zeros: input.shape)
        var worst = 0.0
        var worstIndex = -1
        for element in 0..<input.count {
            func shifted(_ delta: Float) -> [Tensor] {
                inputs.enumerated().map { index, tensor in
                    guard index == inputIndex else { return tensor }
                    var shifted = tensor   // copied on write: `inputs` keep their values
                    shifted.withUnsafeMutableBufferPointer { $0[element] += delta }
                    return shifted
                }
            }
            let numeric = (weightedSum(shifted(step)) - weightedSum(shifted(-step))) / (2 * Double(step))
            let excess = abs(Double(analytic.pointer[element]) - numeric) - (atol + rtol * abs(numeric))
            if excess > worst { worst = excess; worstIndex = element }
        }
        #expect(worstIndex < 0,
                "input \(inputIndex) \(input.shape): element \(worstIndex) analytic \(worstIndex >= 0 ? analytic.pointer[worstIndex] : 0) exceeds tolerance by \(worst)",
                sourceLocation: sourceLocation)
    }
}
