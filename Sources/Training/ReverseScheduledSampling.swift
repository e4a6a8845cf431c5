import Foundation

/// Reverse scheduled sampling (PredRNN-v2, Wang et al., TPAMI 2022; the official trainer's
/// `reverse_scheduled_sampling`): the input window too is sometimes fed the model's own
/// predictions, so the encoder learns long-term dynamics instead of leaning on the true frames.
/// Frame 0 is always true; at inputs 1 … inputLength−1 the true frame is taken with probability
/// `encoderProbability` (r_eta), which rises from ½ to 1; in the prediction window with
/// `forecastProbability` (η), which falls from ½ to 0. Both change between `startIteration` and
/// `endIteration` (r_sampling_step_1 and _2), r_eta as 1 − ½·exp(−(i − start)/`decayLength`)
/// (r_exp_alpha), η linearly. Replaces the ordinary schedule (`samplingStopIteration`) when set.
public struct ReverseScheduledSampling: Codable, Equatable, Sendable {
    public var startIteration: Int
    public var endIteration: Int
    public var decayLength: Double

    /// The official defaults (for 80 000 iterations).
    public init(startIteration: Int = 25_000, endIteration: Int = 50_000, decayLength: Double = 5_000) {
        self.startIteration = startIteration
        self.endIteration = endIteration
        self.decayLength = decayLength
    }

    /// r_eta at (1-based) `iteration`: the probability of a true frame at inputs 1 … inputLength−1.
    public func encoderProbability(atIteration iteration: Int) -> Double {
        if iteration < startIteration { return 0.5 }
        if iteration < endIteration { return 1 - 0.5 * exp(-Double(iteration - startIteration) / decayLength) }
        return 1
    }

    /// η at (1-based) `iteration`: the probability of a true frame in the prediction window.
    public func forecastProbability(atIteration iteration: Int) -> Double {
        if iteration < startIteration { return 0.5 }
        if iteration < endIteration {
            return 0.5 - 0.5 * Double(iteration - startIteration) / Double(endIteration - startIteration)
        }
        return 0
    }

    /// The first problem found, as (field, message), or nil.
    func problem() -> (field: String, message: String)? {
        guard startIteration >= 0 else { return ("startIteration", "must not be negative, got \(startIteration)") }
        guard endIteration > startIteration else {
            return ("endIteration", "must be after the start (\(startIteration)), got \(endIteration)")
        }
        guard decayLength.isFinite, decayLength > 0 else {
            return ("decayLength", "must be a positive number, got \(decayLength)")
        }
        return nil
    }
}
