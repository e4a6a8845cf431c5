import Engine
import Foundation
import Predictor
import Testing
@testable import Training

/// A tiny MotionRNN-PredRNN: 8×8 grey frames, patch 2 (4×4×4 in patch space), two layers of 4
/// channels, 2 frames in → 2 out. Fast enough for many iterations in a debug build.
func tinyModel(motion: MotionRNNOptions = .full) -> ModelConfiguration {
    ModelConfiguration(backbone: .predrnn, motion: motion, imageHeight: 8, imageWidth: 8,
                       imageChannels: 1, patchSize: 2, hiddenChannels: [4, 4], filterSize: 3,
                       inputLength: 2, totalLength: 4)
}

func tinyTraining(iterations: Int, batchSize: Int = 2) -> TrainingConfiguration {
    var configuration = TrainingConfiguration(
        model: tinyModel(), learningRate: 3e-3, batchSize: batchSize, iterations: iterations,
        reverseInput: true, validationInterval: 0, checkpointInterval: 0, keepCheckpoints: 3, seed: 7)
    configuration.scaleSampling()
    return configuration
}

/// Image-space batches `[count, length, size, size, 1]` of a 2×2 bright square that moves one
/// pixel per frame from a random start: learnable, and different in every batch.
struct MovingSquareSource: ResumableBatchSource {
    var random: RandomGenerator
    let batchSize: Int, length: Int, size: Int
    /// Called with the 1-based batch number; returns a replacement batch (to inject bad data).
    var corrupt: ((Int, Tensor) -> Tensor)?
    var served = 0

    init(seed: UInt64, batchSize: Int = 2, length: Int = 4, size: Int = 8,
         corrupt: ((Int, Tensor) -> Tensor)? = nil) {
        random = RandomGenerator(seed: seed)
        self.batchSize = batchSize
        self.length = length
        self.size = size
        self.corrupt = corrupt
    }

    mutating func nextBatch() throws -> Tensor {
        served += 1
        var batch = Tensor(zeros: [batchSize, length, size, size, 1])
        batch.withUnsafeMutableBufferPointer { values in
            for sequence in 0..<batchSize {
                let y0 = Int(random.next() % UInt64(size - 1)), x0 = Int(random.next() % UInt64(size - 1))
                for t in 0..<length {
                    let y = (y0 + t) % (size - 1), x = (x0 + t) % (size - 1)
                    for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                        values[((sequence * length + t) * size + y + dy) * size + x + dx] = 0.9
                    }
                }
            }
        }
        return corrupt?(served, batch) ?? batch
    }

    var state: [UInt64] { random.state + [UInt64(served)] }

    mutating func restore(_ state: [UInt64]) throws {
        guard state.count == 5 else { throw TrainingError.invalidBatchSourceState("expected 5 words") }
        random = try RandomGenerator(state: Array(state.prefix(4)))
        served = Int(state[4])
    }
}

/// A fresh empty directory under the temporary directory.
func temporaryDirectory(_ name: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("training-tests-\(name.filter(\.isLetter))-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func files(in directory: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
}

/// Runs `body`, expects it to throw, and returns the error's description ("" if it did not throw).
func errorMessage(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> String {
    do {
        try body()
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return ""
    } catch {
        return "\(error)"
    }
}

func silent() -> ProgressReporter { ProgressReporter(style: .silent) }

func bitsEqual(_ a: Tensor, _ b: Tensor) -> Bool {
    a.shape == b.shape && a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern)
}
