import Engine

/// Scheduled sampling (SPEC §7): in the prediction window, each (sequence, step) takes the true
/// frame with probability η and the model's own prediction otherwise (with reverse scheduled
/// sampling, in the input window too: `TrainingConfiguration.samplingSchedule`).
public enum ScheduledSampling {
    /// The mask `[B, S, h, w, Cp]` the model mixes its inputs with at S steps (normally the
    /// prediction window's T − inputLength − 1), step s taking the true frame with probability
    /// `probabilities[s]`: one Bernoulli draw per (sequence, step), in row-major order, constant
    /// over the frame (as the official trainer's `random_flip < eta`). Nil when there are no steps.
    public static func mask(batchSize: Int, probabilities: [Double],
                            patchHeight: Int, patchWidth: Int, frameChannels: Int,
                            using random: inout RandomGenerator) -> Tensor? {
        let steps = probabilities.count
        guard steps > 0 else { return nil }
        let frameSize = patchHeight * patchWidth * frameChannels
        return Tensor(shape: [batchSize, steps, patchHeight, patchWidth, frameChannels]) { values in
            for frame in 0..<(batchSize * steps) {
                let useTruth: Float = Double(random.unitFloat()) < probabilities[frame % steps] ? 1 : 0
                (values.baseAddress! + frame * frameSize).update(repeating: useTruth, count: frameSize)
            }
        }
    }
}

/// Reverse input (SPEC §7): the batch `[B, T, …]` with its frames in reverse time order.
public func reversedInTime(_ batch: Tensor) -> Tensor {
    precondition(batch.rank >= 2, "reversedInTime: shape \(batch.shape) has no time axis")
    let (sequences, length) = (batch.shape[0], batch.shape[1])
    let frameSize = length == 0 ? 0 : batch.count / (sequences * length)
    return Tensor(shape: batch.shape) { target in
        for sequence in 0..<sequences {
            for t in 0..<length {
                let from = (sequence * length + t) * frameSize
                let to = (sequence * length + (length - 1 - t)) * frameSize
                (target.baseAddress! + to).update(from: batch.pointer + from, count: frameSize)
            }
        }
    }
}
