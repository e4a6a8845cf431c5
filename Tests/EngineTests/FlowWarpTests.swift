import Engine
import Foundation
import Testing
import TestSupport

/// TrajGRU's flow warp (SPEC §10.1): bilinear sampling in pixel units, zeros outside, no clamping.
@Suite struct FlowWarpTests {
    /// The warp written out per output element in Double: sample x[b, c] at (y + dy, x + dx),
    /// corners outside the map read 0 and keep their weight.
    static func directWarp(_ x: Tensor, _ flows: Tensor) -> [Double] {
        let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let links = flows.shape[1] / 2
        var out: [Double] = []
        for b in 0..<batch {
            for l in 0..<links {
                for c in 0..<channels {
                    for row in 0..<height {
                        for column in 0..<width {
                            func flow(_ k: Int) -> Double {
                                Double(flows.pointer[((b * 2 * links + k) * height + row) * width + column])
                            }
                            let xs = Double(column) + flow(2 * l), ys = Double(row) + flow(2 * l + 1)
                            let x0 = Foundation.floor(xs), y0 = Foundation.floor(ys)
                            var sum = 0.0
                            for (cy, wy) in [(y0, 1 - (ys - y0)), (y0 + 1, ys - y0)] {
                                for (cx, wx) in [(x0, 1 - (xs - x0)), (x0 + 1, xs - x0)] {
                                    guard cy >= 0, cy < Double(height), cx >= 0, cx < Double(width) else { continue }
                                    sum += wy * wx * Double(x.pointer[((b * channels + c) * height + Int(cy)) * width + Int(cx)])
                                }
                            }
                            out.append(sum)
                        }
                    }
                }
            }
        }
        return out
    }

    @Test func forwardMatchesTheBilinearRuleIncludingTheBorder() {
        var random = TestRandom(seed: 21)
        let x = random.tensor([2, 3, 5, 6])
        let flows = random.tensor([2, 6, 5, 6], -3, 3)   // three links; many samples leave the map
        let ours = flowWarp(Variable(x), flows: Variable(flows)).value
        #expect(ours.shape == [2, 9, 5, 6])
        let expected = Self.directWarp(x, flows)
        for i in 0..<ours.count { #expect(abs(Double(ours.pointer[i]) - expected[i]) < 1e-6) }
    }

    /// A whole-pixel flow of (+1 column, 0 rows) shifts the map left by one, zero entering at the
    /// right; a half-pixel flow averages neighbours, and half of a border sample is lost (no
    /// renormalisation).
    @Test func shiftsAndHalfPixels() {
        let x = Tensor(shape: [1, 1, 1, 4], scalars: [1, 2, 3, 4])
        func warped(dx: Float) -> [Float] {
            let flows = Tensor(shape: [1, 2, 1, 4], scalars: [dx, dx, dx, dx, 0, 0, 0, 0])
            let y = flowWarp(Variable(x), flows: Variable(flows)).value
            return (0..<4).map { y.pointer[$0] }
        }
        #expect(warped(dx: 1) == [2, 3, 4, 0])
        #expect(warped(dx: -1) == [0, 1, 2, 3])
        #expect(warped(dx: 0.5) == [1.5, 2.5, 3.5, 2])
        #expect(warped(dx: 0) == [1, 2, 3, 4])
    }

    @Test func nonFiniteAndFarFlowsSampleZero() {
        let x = Tensor(repeating: 1, shape: [1, 2, 3, 3])
        for value in [Float.nan, .infinity, -.infinity, 1e30, -1e30, 5] {
            let flows = Tensor(repeating: value, shape: [1, 2, 3, 3])
            let y = flowWarp(Variable(x), flows: Variable(flows)).value
            #expect((0..<y.count).allSatisfy { y.pointer[$0] == 0 }, "flow \(value)")
        }
    }

    /// Central differences for x and for the flows. The flows keep away from whole pixels (the
    /// floor's kinks): integer part in −3…2, fraction in [0.15, 0.85], so some corners fall
    /// outside the 4×5 map and their zero contributions are checked too.
    @Test func gradients() {
        var random = TestRandom(seed: 22)
        let x = random.tensor([2, 3, 4, 5])
        let flows = Tensor(shape: [2, 4, 4, 5], scalars: (0..<(2 * 4 * 4 * 5)).map { _ in
            Float(Int(random.next() % 6) - 3) + random.uniform(0.15, 0.85)
        })
        checkGradients([x, flows]) { v in flowWarp(v[0], flows: v[1]) }
    }
}
