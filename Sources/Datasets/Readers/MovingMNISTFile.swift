import Engine
import Foundation

/// Sequences stored in a NumPy file, in one of the two layouts the field uses for Moving MNIST:
/// - `.npy` `[T, N, H, W]` (the layout of `mnist_test_seq.npy`: 20 frames × 10 000 sequences of
///   64×64), uint8 (0–255, scaled to [0, 1]) or float (already in [0, 1]);
/// - PredRNN-style `.npz` (`np.savez` or `np.savez_compressed`) holding `input_raw_data`
///   `[F, C, H, W]` (all frames of all clips), `clips` `[2, N, 2]` (for sequence i, the start and
///   length of its input clip, `clips[0, i]`, and of its output clip, `clips[1, i]`, as frame
///   indices into `input_raw_data`) and `dims` `[1, 3]` = `[[C, H, W]]`.
/// The file is checked whole when opened (header, sizes, float values finite and in [0, 1]);
/// frames are converted when a sequence is asked for, straight from the memory-mapped file.
public struct MovingMNISTFile: SequenceDataset {
    public let path: String
    public let count: Int
    public let sequenceLength: Int
    public let frameShape: [Int]
    private let frames: NPYArray
    /// Element offset of frame t of sequence i is `frameOffset(i, t)`.
    private let layout: Layout
    /// Bytes are divided by 255, floats taken as they are.
    private let divisor: Float

    private enum Layout: Sendable {
        /// `[T, N, H, W]`.
        case timeMajor
        /// `[F, C, H, W]` frames; each sequence lists its frame indices.
        case clips([[Int]])
    }

    /// Opens a `.npy` or `.npz` file (told apart by their first bytes, not the name).
    public static func open(_ url: URL) throws -> MovingMNISTFile {
        let data = try FileBytes.read(url)
        let isZip = data.count >= 2 && data.prefix(2) == Data("PK".utf8)
        if isZip {
            return try MovingMNISTFile(npz: NPZFile(archive: ZipArchive(data: data, path: url.path)))
        }
        return try MovingMNISTFile(npy: NPYArray.parse(data, path: url.path))
    }

    /// The `[T, N, H, W]` layout.
    public init(npy array: NPYArray) throws {
        guard array.shape.count == 4 else {
            throw DatasetError(path: array.path, .wrongShape(
                expected: "[T, N, H, W] (Moving MNIST .npy layout)", actual: array.shape))
        }
        divisor = try Self.checkFrames(array)
        path = array.path
        frames = array
        sequenceLength = array.shape[0]
        count = array.shape[1]
        frameShape = [array.shape[2], array.shape[3], 1]
        layout = .timeMajor
    }

    /// The PredRNN `.npz` layout.
    public init(npz archive: NPZFile) throws {
        let path = archive.path
        let raw = try archive.array("input_raw_data")
        guard raw.shape.count == 4 else {
            throw DatasetError(path: raw.path, .wrongShape(
                expected: "[F, C, H, W] (PredRNN input_raw_data)", actual: raw.shape))
        }
        let clipsArray = try archive.array("clips")
        guard clipsArray.shape.count == 3, clipsArray.shape[0] == 2, clipsArray.shape[2] == 2 else {
            throw DatasetError(path: clipsArray.path, .wrongShape(
                expected: "[2, N, 2] (PredRNN clips)", actual: clipsArray.shape))
        }
        let clips = try clipsArray.integers()
        let n = clipsArray.shape[1]
        let dims = try archive.array("dims")
        guard dims.count == 3 else {
            throw DatasetError(path: dims.path, .wrongShape(expected: "[1, 3] (PredRNN dims)",
                                                            actual: dims.shape))
        }
        let chw = try dims.integers()
        guard chw == Array(raw.shape.dropFirst()) else {
            throw DatasetError(path: path, .malformed(
                "dims \(chw) do not match input_raw_data frames \(Array(raw.shape.dropFirst()))"))
        }
        guard n > 0 else { throw DatasetError(path: clipsArray.path, .malformed("no clips")) }
        var sequences: [[Int]] = []
        sequences.reserveCapacity(n)
        let inputLength = clips[1], outputLength = clips[2 * n + 1]
        for i in 0..<n {
            var frameIndices: [Int] = []
            for part in 0..<2 {
                let start = clips[(part * n + i) * 2], length = clips[(part * n + i) * 2 + 1]
                guard length == (part == 0 ? inputLength : outputLength) else {
                    throw DatasetError(path: clipsArray.path, .malformed(
                        "clip \(i) has \(part == 0 ? "input" : "output") length \(length); the "
                            + "first has \(part == 0 ? inputLength : outputLength) (all must be equal)"))
                }
                guard start >= 0, length >= 0, start + length <= raw.shape[0] else {
                    throw DatasetError(path: clipsArray.path, .malformed(
                        "clip \(i) frames \(start)..<\(start + length) outside input_raw_data's "
                            + "\(raw.shape[0]) frames"))
                }
                frameIndices += Array(start..<(start + length))
            }
            sequences.append(frameIndices)
        }
        guard inputLength + outputLength > 0 else {
            throw DatasetError(path: clipsArray.path, .malformed("clips are empty"))
        }
        divisor = try Self.checkFrames(raw)
        self.path = path
        frames = raw
        count = n
        sequenceLength = inputLength + outputLength
        frameShape = [raw.shape[2], raw.shape[3], raw.shape[1]]
        layout = .clips(sequences)
    }

    /// Accepts uint8 (divided by 255) or float data with every value finite and in [0, 1];
    /// returns the divisor.
    public static func checkFrames(_ array: NPYArray) throws -> Float {
        switch array.dtype {
        case .uint8:
            return 255
        case .float16, .float32, .float64:
            try array.checkFinite()
            var buffer = [Float](repeating: 0, count: 1 << 16)
            var start = 0
            while start < array.count {
                let n = min(buffer.count, array.count - start)
                buffer.withUnsafeMutableBufferPointer {
                    array.copyFloats(from: start, count: n, into: $0.baseAddress!)
                }
                if let i = buffer[0..<n].firstIndex(where: { $0 < 0 || $0 > 1 }) {
                    throw DatasetError(path: array.path, .outOfRange(
                        "element \(start + i) is \(buffer[i]); float frames must lie in [0, 1]"))
                }
                start += n
            }
            return 1
        default:
            throw DatasetError(path: array.path, .unsupportedDType(
                "'\(array.dtype.rawValue)' (frames must be uint8 or float)"))
        }
    }

    public func sequence(at index: Int) throws -> Tensor {
        checkIndex(index, "MovingMNISTFile.sequence(at:)")
        let (h, w, c) = (frameShape[0], frameShape[1], frameShape[2])
        let frameSize = h * w * c
        return Tensor(shape: [sequenceLength] + frameShape) { out in
            let destination = out.baseAddress!
            switch layout {
            case .timeMajor:
                for t in 0..<sequenceLength {
                    frames.copyFloats(from: (t * count + index) * frameSize, count: frameSize,
                                      into: destination + t * frameSize, dividingBy: divisor)
                }
            case .clips(let sequences):
                var planar = [Float](repeating: 0, count: c == 1 ? 0 : frameSize)
                for (t, f) in sequences[index].enumerated() {
                    if c == 1 {
                        frames.copyFloats(from: f * frameSize, count: frameSize,
                                          into: destination + t * frameSize, dividingBy: divisor)
                        continue
                    }
                    // [C, H, W] → [H, W, C].
                    planar.withUnsafeMutableBufferPointer { p in
                        frames.copyFloats(from: f * frameSize, count: frameSize, into: p.baseAddress!,
                                          dividingBy: divisor)
                        let frame = destination + t * frameSize
                        for ch in 0..<c {
                            for pixel in 0..<(h * w) { frame[pixel * c + ch] = p[ch * h * w + pixel] }
                        }
                    }
                }
            }
        }
    }
}
