import Engine

/// Fixed-length training sequences cut out of long ones: window `k` of a long sequence holds
/// frames `start, start + frameStride, …, start + (windowLength−1)·frameStride` with
/// `start = k · windowStep`. Windows that would run past the end are dropped, so a long
/// sequence of `N` frames gives `⌊(N − (windowLength−1)·frameStride − 1) / windowStep⌋ + 1`
/// windows (none when it is shorter than one window). Windows are numbered sequence by sequence.
public struct SlidingWindows<Source: LongSequenceSource>: SequenceDataset {
    public let source: Source
    public let windowLength: Int
    public let frameStride: Int
    public let windowStep: Int
    /// `firstWindow[i]` = number of windows in long sequences `0..<i` (one more entry than
    /// sequences, the last being the total).
    private let firstWindow: [Int]

    public init(_ source: Source, windowLength: Int, frameStride: Int = 1, windowStep: Int = 1) {
        precondition(windowLength >= 1 && frameStride >= 1 && windowStep >= 1,
                     "SlidingWindows: windowLength \(windowLength), frameStride \(frameStride) and "
                         + "windowStep \(windowStep) must all be ≥ 1")
        self.source = source
        self.windowLength = windowLength
        self.frameStride = frameStride
        self.windowStep = windowStep
        var first = [0]
        for i in 0..<source.count {
            first.append(first[i] + Self.windowCount(length: source.length(ofSequence: i),
                                                     windowLength: windowLength,
                                                     frameStride: frameStride, windowStep: windowStep))
        }
        firstWindow = first
    }

    /// Windows in one long sequence of `length` frames.
    public static func windowCount(length: Int, windowLength: Int, frameStride: Int,
                                   windowStep: Int) -> Int {
        let span = (windowLength - 1) * frameStride + 1
        return length >= span ? (length - span) / windowStep + 1 : 0
    }

    public var count: Int { firstWindow.last! }
    public var sequenceLength: Int { windowLength }
    public var frameShape: [Int] { source.frameShape }

    /// Which long sequence window `index` comes from, and its frame indices there.
    public func location(of index: Int) -> (sequence: Int, frames: [Int]) {
        checkIndex(index, "SlidingWindows")
        // Last long sequence whose first window is ≤ index (binary search; empty ones skipped).
        var low = 0, high = firstWindow.count - 1
        while high - low > 1 {
            let mid = (low + high) / 2
            if firstWindow[mid] <= index { low = mid } else { high = mid }
        }
        let start = (index - firstWindow[low]) * windowStep
        return (low, (0..<windowLength).map { start + $0 * frameStride })
    }

    public func sequence(at index: Int) throws -> Tensor {
        let (sequence, frames) = location(of: index)
        return try source.frames(frames, ofSequence: sequence)
    }
}
