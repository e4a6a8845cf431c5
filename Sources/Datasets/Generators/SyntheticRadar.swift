import Engine
import Foundation

/// Parameters of the synthetic radar echoes. A frame is one time step; lengths are in pixels.
public struct RadarWeather: Sendable, Equatable {
    /// Cells alive when the sequence starts (each at a random point of its life).
    public var initialCells: ClosedRange<Int> = 4...8
    /// Mean number of new cells per frame (Poisson).
    public var birthRate: Float = 0.5
    /// Life of a cell in frames: its peak reflectivity rises from `peakDBZ − lifeSwingDBZ` to
    /// `peakDBZ` at mid-life and falls back, as sin(π·age/life); its size follows at 60–100 %.
    public var lifetime: ClosedRange<Float> = 12...40
    public var peakDBZ: ClosedRange<Float> = 35...60
    public var lifeSwingDBZ: Float = 25
    /// Standard deviation of the Gaussian cell along its long axis, and the ratio of the long
    /// to the short axis (elliptic cells, randomly oriented).
    public var cellSigma: ClosedRange<Float> = 2.5...7
    public var aspectRatio: ClosedRange<Float> = 1...2.5
    /// Mean wind speed (px/frame), one random direction per sequence.
    public var windSpeed: ClosedRange<Float> = 0.8...2.5
    /// Solid-body rotation of the wind about a random centre (degrees per frame, either sense):
    /// cells turn along curved tracks, and rotate their axes at the same rate.
    public var rotation: ClosedRange<Float> = 0.3...1.2
    /// Amplitude (px/frame) and wavelength (px) of a smooth divergence-free perturbation of the
    /// wind (the curl of a product of sines), so that neighbouring cells drift slightly apart.
    public var turbulence: Float = 0.4
    public var turbulenceWavelength: Float = 96
    /// Cells live in the frame plus this margin on every side, so that they drift in and out.
    public var margin: Float = 20
    /// Reflectivity below this is no echo (pixel 0).
    public var echoThresholdDBZ: Float = 15

    public init() {}
}

/// A physically plausible stand-in for radar nowcasting data (no public radar sequences can be
/// installed): rain cells are elliptic Gaussians of reflectivity Z (linear units, mm⁶/m³, so
/// overlapping cells add as real echoes do; dBZ = 10·log₁₀ Z) that grow and decay over their life,
/// are advected by a smooth wind field (uniform flow + slight solid-body rotation + a weak
/// divergence-free perturbation) and are born at random. Frames are dBZ mapped to [0, 1] with
/// `rule` (SPEC §9; echoes below `echoThresholdDBZ` are 0). Defaults follow the paper's radar
/// setting: 64×64, 5 input + 10 output frames. Deterministic for (seed, index).
public struct SyntheticRadar: SequenceDataset {
    public let count: Int
    public let sequenceLength: Int
    public let size: Int
    public let seed: UInt64
    public let weather: RadarWeather
    public let rule: DBZRule

    public var frameShape: [Int] { [size, size, 1] }

    public init(count: Int, sequenceLength: Int = 15, size: Int = 64, seed: UInt64,
                weather: RadarWeather = RadarWeather(), rule: DBZRule = .official) {
        precondition(count >= 0 && sequenceLength >= 1 && size >= 1,
                     "SyntheticRadar: count \(count), sequenceLength \(sequenceLength), size \(size)")
        self.count = count
        self.sequenceLength = sequenceLength
        self.size = size
        self.seed = seed
        self.weather = weather
        self.rule = rule
    }

    private struct Cell {
        var x, y: Float
        var orientation: Float
        var age: Float
        let life, peakDBZ, sigma, aspect: Float
    }

    public func sequence(at index: Int) throws -> Tensor {
        let dBZ = reflectivity(at: index)
        let threshold = weather.echoThresholdDBZ
        return Tensor(shape: dBZ.shape) { destination in
            let source = dBZ.pointer
            for i in 0..<dBZ.count {
                destination[i] = source[i] < threshold ? 0 : rule.pixel(fromDBZ: source[i])
            }
        }
    }

    /// Sequence `index` in dBZ, `[T, size, size, 1]` (−∞ dBZ, no echo at all, reads as −100).
    public func reflectivity(at index: Int) -> Tensor {
        checkIndex(index, "SyntheticRadar")
        var random = RandomGenerator(seed: VMNIST.mix(seed ^ 0x5AD_A125, UInt64(index)))
        let w = weather
        let frame = Float(size)
        func draw(_ range: ClosedRange<Float>) -> Float {
            random.uniform(range.lowerBound, range.upperBound)
        }
        func newCell(age: Float?) -> Cell {
            let life = draw(w.lifetime)
            return Cell(x: random.uniform(-w.margin, frame + w.margin),
                        y: random.uniform(-w.margin, frame + w.margin),
                        orientation: random.uniform(0, .pi), age: age ?? random.uniform(0, life),
                        life: life, peakDBZ: draw(w.peakDBZ), sigma: draw(w.cellSigma),
                        aspect: draw(w.aspectRatio))
        }

        // The wind of this sequence.
        let heading = random.uniform(0, 2 * .pi)
        let speed = draw(w.windSpeed)
        let (meanU, meanV) = (speed * Foundation.cos(heading), speed * Foundation.sin(heading))
        let spinSign: Float = random.next() & 1 == 0 ? 1 : -1
        let omega = spinSign * draw(w.rotation) * .pi / 180
        let (centreX, centreY) = (random.uniform(0, frame), random.uniform(0, frame))
        let k = 2 * Float.pi / w.turbulenceWavelength
        let (phaseX, phaseY) = (random.uniform(0, 2 * .pi), random.uniform(0, 2 * .pi))
        func wind(_ x: Float, _ y: Float) -> (Float, Float) {
            // Stream function ψ = (A/k)·sin(kx+φx)·sin(ky+φy): u = ∂ψ/∂y, v = −∂ψ/∂x.
            let sx = Foundation.sin(k * x + phaseX), cx = Foundation.cos(k * x + phaseX)
            let sy = Foundation.sin(k * y + phaseY), cy = Foundation.cos(k * y + phaseY)
            let u = meanU - omega * (y - centreY) + w.turbulence * sx * cy
            let v = meanV + omega * (x - centreX) - w.turbulence * cx * sy
            return (u, v)
        }

        var cells = (0..<Int(random.uniform(Float(w.initialCells.lowerBound),
                                             Float(w.initialCells.upperBound) + 1)))
            .map { _ in newCell(age: nil) }
        return Tensor(shape: [sequenceLength, size, size, 1]) { values in
            var linear = [Float](repeating: 0, count: size * size)
            for t in 0..<sequenceLength {
                // Reflectivity of this frame: cells add in linear Z.
                for i in linear.indices { linear[i] = 0 }
                for cell in cells { add(cell, to: &linear) }
                let destination = values.baseAddress! + t * size * size
                for i in linear.indices {
                    destination[i] = linear[i] > 0 ? max(10 * log10(linear[i]), -100) : -100
                }
                // Advance: advect and rotate, age (dropping dead or departed cells), births.
                let lowEdge = -w.margin - 10, highEdge = frame + w.margin + 10
                cells = cells.compactMap { cell in
                    var c = cell
                    let (u, v) = wind(c.x, c.y)
                    c.x += u
                    c.y += v
                    c.orientation += omega
                    c.age += 1
                    guard c.age < c.life, c.x > lowEdge, c.x < highEdge, c.y > lowEdge, c.y < highEdge
                    else { return nil }
                    return c
                }
                for _ in 0..<poisson(w.birthRate, &random) { cells.append(newCell(age: 0)) }
            }
        }
    }

    /// Adds one cell's reflectivity (linear Z) to the frame, over its 4σ bounding box.
    private func add(_ cell: Cell, to linear: inout [Float]) {
        let phase = Float.pi * cell.age / cell.life
        let growth = Foundation.sin(phase)
        guard growth > 0 else { return }
        let peak = cell.peakDBZ - weather.lifeSwingDBZ * (1 - growth)
        let zPeak = Foundation.pow(10, peak / 10)
        let major = cell.sigma * (0.6 + 0.4 * growth)
        let minor = major / cell.aspect
        let (c, s) = (Foundation.cos(cell.orientation), Foundation.sin(cell.orientation))
        let reach = 4 * major
        let x0 = max(0, Int((cell.x - reach).rounded(.down)))
        let x1 = min(size - 1, Int((cell.x + reach).rounded(.up)))
        let y0 = max(0, Int((cell.y - reach).rounded(.down)))
        let y1 = min(size - 1, Int((cell.y + reach).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        let (a, b) = (1 / (major * major), 1 / (minor * minor))
        linear.withUnsafeMutableBufferPointer { z in
            for y in y0...y1 {
                let dy = Float(y) + 0.5 - cell.y
                for x in x0...x1 {
                    let dx = Float(x) + 0.5 - cell.x
                    let along = c * dx + s * dy, across = -s * dx + c * dy
                    let d2 = along * along * a + across * across * b
                    if d2 < 16 { z[y * size + x] += zPeak * Foundation.exp(-0.5 * d2) }
                }
            }
        }
    }

    /// A Poisson draw (Knuth's product of uniforms; fine for small means).
    private func poisson(_ mean: Float, _ random: inout RandomGenerator) -> Int {
        let limit = Foundation.exp(-mean)
        var product: Float = 1
        var n = -1
        repeat {
            n += 1
            product *= random.unitFloat()
        } while product > limit && n < 100
        return n
    }
}
