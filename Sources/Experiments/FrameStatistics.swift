import Datasets
import Engine
import Imaging

/// Intensity statistics of frames in [0, 1]: what a model was trained on, to tell a user when
/// the frames they give it look nothing like that (a model trained on white digits over black
/// predicts little that is useful on a daylight street scene).
public struct FrameStatistics: Codable, Equatable, Sendable {
    /// [height, width, channels].
    public var frameShape: [Int]
    public var mean: Double
    public var standardDeviation: Double
    /// Fraction of values below 0.1: V-MNIST's frames are mostly black background.
    public var darkFraction: Double

    public init(frameShape: [Int], values: UnsafeBufferPointer<Float>) {
        self.frameShape = frameShape
        var sum = 0.0, squares = 0.0, dark = 0
        for value in values {
            sum += Double(value)
            squares += Double(value) * Double(value)
            if value < 0.1 { dark += 1 }
        }
        let n = Double(max(1, values.count))
        mean = sum / n
        standardDeviation = (max(0, squares / n - mean * mean)).squareRoot()
        darkFraction = Double(dark) / n
    }

    /// Over the first `sequences` sequences of `dataset`.
    public init(of dataset: any SequenceDataset, sequences: Int) throws {
        let count = min(sequences, dataset.count)
        var all: [Float] = []
        for index in 0..<count { all += try dataset.sequence(at: index).scalars }
        self = all.withUnsafeBufferPointer { FrameStatistics(frameShape: dataset.frameShape, values: $0) }
    }

    /// Of a model's input tensor `[T, H, W, C]`.
    public init(frames: Tensor) {
        self.init(frameShape: Array(frames.shape.dropFirst()),
                  values: UnsafeBufferPointer(start: frames.pointer, count: frames.count))
    }

    /// How far `input` is from these (training) statistics, in words; empty when it is close.
    /// The thresholds are deliberately coarse: they flag another kind of picture, not a
    /// brighter day.
    public func differences(from input: FrameStatistics) -> [String] {
        var notes: [String] = []
        func percent(_ x: Double) -> String { "\(Int((x * 100).rounded())) %" }
        if abs(input.darkFraction - darkFraction) > 0.3 {
            notes.append("\(percent(input.darkFraction)) of the input's pixels are dark (< 0.1), against \(percent(darkFraction)) in the training frames")
        }
        if abs(input.mean - mean) > 0.2 {
            notes.append("its mean intensity is \(String(format: "%.2f", input.mean)), the training frames' \(String(format: "%.2f", mean))")
        }
        return notes
    }
}
