import Datasets
import Engine
import Foundation
import Testing

@Suite struct RadarTests {
    @Test func officialRuleIsPPlus30Over2() {
        let rule = DBZRule.official
        // dBZ = (p + 30) / 2 for 8-bit p.
        for p: UInt8 in [0, 30, 70, 255] {
            #expect(abs(rule.dBZ(fromByte: p) - (Float(p) + 30) / 2) < 1e-4)
        }
        #expect(rule.dBZ(fromPixel: 0) == 15)
        #expect(rule.dBZ(fromPixel: 1) == 142.5)
        // The CSI thresholds 30/40/50 dBZ are bytes 30, 50, 70.
        for (dBZ, p) in [(Float(30), Float(30)), (40, 50), (50, 70)] {
            #expect(abs(rule.pixel(fromDBZ: dBZ) * 255 - p) < 1e-3)
        }
    }

    @Test func hko7RuleIs70vMinus10() {
        let rule = DBZRule.hko7
        #expect(rule.dBZ(fromPixel: 0) == -10)
        #expect(rule.dBZ(fromPixel: 0.5) == 25)
        #expect(rule.dBZ(fromPixel: 1) == 60)
        #expect(abs(rule.pixel(fromDBZ: 30) - 40.0 / 70) < 1e-6)
        // Clipped to [0, 1], unless asked not to.
        #expect(rule.pixel(fromDBZ: 80) == 1 && rule.pixel(fromDBZ: -20) == 0)
        #expect(abs(rule.unclippedPixel(fromDBZ: 80) - 90.0 / 70) < 1e-6)
    }

    @Test func rulesRoundTripAndAreNamed() {
        for rule in DBZRule.all {
            for v: Float in [0, 0.1, 0.37, 0.9, 1] {
                #expect(abs(rule.pixel(fromDBZ: rule.dBZ(fromPixel: v)) - v) < 1e-6)
            }
            #expect(DBZRule(named: rule.name) == rule)
        }
        #expect(DBZRule(named: "shanghai") == .official)
        #expect(DBZRule(named: "nonsense") == nil)
    }

    @Test func generatorIsDeterministic() throws {
        let a = SyntheticRadar(count: 20, seed: 4), b = SyntheticRadar(count: 20, seed: 4)
        let first = try a.sequence(at: 6)
        #expect(first.shape == [15, 64, 64, 1])
        _ = try b.sequence(at: 2)
        #expect(try b.sequence(at: 6).scalars == first.scalars)
        #expect(try a.sequence(at: 7).scalars != first.scalars)
        #expect(try SyntheticRadar(count: 20, seed: 5).sequence(at: 6).scalars != first.scalars)
    }

    @Test(arguments: DBZRule.all)
    func pixelsFollowTheRuleAndStayInRange(rule: DBZRule) throws {
        let radar = SyntheticRadar(count: 40, seed: 1, rule: rule)
        var rainy = 0, strong = 0, total = 0, wrong = 0
        for i in 0..<40 {
            let pixels = try radar.sequence(at: i)
            let dBZ = radar.reflectivity(at: i)
            for k in 0..<pixels.count {
                let v = pixels.pointer[k], z = dBZ.pointer[k]
                // Below the echo threshold: 0; above it: the rule's pixel of the dBZ value.
                let expected = z < radar.weather.echoThresholdDBZ ? 0 : rule.pixel(fromDBZ: z)
                // Reflectivity stays physical: nothing above the strongest cell peak (cells
                // overlap, so a few dB more).
                if !(v >= 0 && v <= 1) || abs(v - expected) > 1e-6
                    || z > radar.weather.peakDBZ.upperBound + 5 { wrong += 1 }
                if z >= radar.weather.echoThresholdDBZ { rainy += 1 }
                if z >= 50 { strong += 1 }
                total += 1
            }
        }
        #expect(wrong == 0)
        // Rain covers part of the frames, and the 50 dBZ CSI threshold is reached sometimes.
        let cover = Float(rainy) / Float(total)
        #expect(cover > 0.05 && cover < 0.8, "rain cover \(cover)")
        #expect(strong > 0)
    }

    @Test func echoesMoveAndEvolve() throws {
        let radar = SyntheticRadar(count: 10, seed: 2)
        for i in 0..<10 {
            let sequence = try radar.sequence(at: i)
            var changed = 0
            for t in 1..<15 where sequence.frame(t) != sequence.frame(t - 1) { changed += 1 }
            #expect(changed >= 13)
        }
        // The rain field's centroid drifts: over a sequence it moves by more than a pixel on
        // average (advection), while consecutive frames stay correlated (smooth motion).
        var drift: Float = 0, correlation: Float = 0
        for i in 0..<10 {
            let sequence = try radar.sequence(at: i)
            func centroid(_ f: [Float]) -> (Float, Float) {
                var (m, x, y): (Float, Float, Float) = (0, 0, 0)
                for (k, v) in f.enumerated() { m += v; x += v * Float(k % 64); y += v * Float(k / 64) }
                return m > 0 ? (x / m, y / m) : (32, 32)
            }
            let (x0, y0) = centroid(sequence.frame(0)), (x1, y1) = centroid(sequence.frame(4))
            drift += ((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0)).squareRoot() / 10
            let a = sequence.frame(7), b = sequence.frame(8)
            let dot = zip(a, b).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            let na = a.reduce(Float(0)) { $0 + $1 * $1 }, nb = b.reduce(Float(0)) { $0 + $1 * $1 }
            correlation += (na > 0 && nb > 0 ? dot / (na * nb).squareRoot() : 1) / 10
        }
        #expect(drift > 1, "mean drift \(drift)")
        #expect(correlation > 0.8, "mean correlation \(correlation)")
    }
}
