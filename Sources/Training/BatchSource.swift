import Engine
import Predictor

/// Where the trainer gets its data: batches of image-space sequences `[B, T, H, W, C]` with values
/// in [0, 1]. The trainer patchifies them itself.
public protocol BatchSource {
    mutating func nextBatch() throws -> Tensor
}

/// A batch source whose position can be saved in a checkpoint and restored, so that a resumed
/// run sees exactly the batches the uninterrupted run would have seen.
public protocol ResumableBatchSource: BatchSource {
    var state: [UInt64] { get }
    mutating func restore(_ state: [UInt64]) throws
}

/// A fixed list of batches served in a cycle; resumable (its state is the next index).
public struct ArrayBatchSource: ResumableBatchSource {
    public let batches: [Tensor]
    public private(set) var nextIndex = 0

    public init(_ batches: [Tensor]) {
        precondition(!batches.isEmpty, "ArrayBatchSource: no batches")
        self.batches = batches
    }

    public mutating func nextBatch() throws -> Tensor {
        defer { nextIndex = (nextIndex + 1) % batches.count }
        return batches[nextIndex]
    }

    public var state: [UInt64] { [UInt64(nextIndex)] }

    public mutating func restore(_ state: [UInt64]) throws {
        guard state.count == 1, state[0] < UInt64(batches.count) else {
            throw TrainingError.invalidBatchSourceState(
                "ArrayBatchSource: state \(state) does not fit \(batches.count) batches")
        }
        nextIndex = Int(state[0])
    }
}

/// Checks a batch before it reaches the model, so that bad data stops training with a message
/// about the data instead of a NaN loss (or a shape precondition deep inside a convolution).
enum BatchCheck {
    /// `what` names the batch in the error ("training batch of iteration 12", "validation batch 3").
    /// How far outside [0, 1] a value may lie (resampling can overshoot a little).
    static let rangeTolerance: Float = 1e-3

    static func check(_ batch: Tensor, model: ModelConfiguration, batchSize: Int?,
                      what: String, checkRange: Bool = true) throws {
        let expected = [batchSize ?? (batch.shape.first ?? 0), model.totalLength,
                        model.imageHeight, model.imageWidth, model.imageChannels]
        guard batch.shape == expected, batch.count > 0 else {
            throw TrainingError.invalidBatch(
                what, "has shape \(batch.shape), expected [B, T, H, W, C] = \(expected)")
        }
        let values = batch.pointer
        let (low, high) = checkRange ? (-rangeTolerance, 1 + rangeTolerance) : (-Float.infinity, .infinity)
        // One pass; `!(x >= low && x <= high)` also catches NaN, and ±∞ when the range is off.
        for i in 0..<batch.count where !(values[i] >= low && values[i] <= high) || !values[i].isFinite {
            // Name the first bad element by sequence, frame and pixel.
            var rest = i
            var index = [Int](repeating: 0, count: 5)
            for axis in (0..<5).reversed() {
                index[axis] = rest % expected[axis]
                rest /= expected[axis]
            }
            let hint = values[i].isFinite
                ? "; frames must be scaled to [0, 1] (8-bit pixels divided by 255)"
                : "; frames must hold finite values in [0, 1]"
            throw TrainingError.invalidBatch(
                what, "holds \(values[i]) at sequence \(index[0]), frame \(index[1]), "
                    + "pixel (y \(index[2]), x \(index[3]), channel \(index[4]))" + hint)
        }
    }
}
