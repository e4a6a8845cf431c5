import Datasets
import Engine
import Foundation
import Testing
import TestSupport

@Suite struct VMNISTTests {
    private let digits = syntheticDigits()

    @Test func sameSeedAndIndexGiveTheSameSequence() throws {
        let a = VMNIST(digits: digits, count: 50, seed: 11)
        let b = VMNIST(digits: digits, count: 50, seed: 11)
        let c = VMNIST(digits: digits, count: 50, seed: 12)
        let first = try a.sequence(at: 7)
        #expect(first.shape == [20, 64, 64, 1])
        // Asked again, from another instance, after other indices: identical.
        _ = try b.sequence(at: 3)
        #expect(try b.sequence(at: 7).scalars == first.scalars)
        #expect(try a.sequence(at: 7).scalars == first.scalars)
        // Another index or another seed: different.
        #expect(try a.sequence(at: 8).scalars != first.scalars)
        #expect(try c.sequence(at: 7).scalars != first.scalars)
    }

    @Test func twoDifferentDigitsOfDifferentClasses() {
        let dataset = VMNIST(digits: digits, count: 200, seed: 5)
        for i in 0..<200 {
            let chosen = dataset.motion(at: i).digits
            #expect(chosen.count == 2)
            #expect(chosen[0] != chosen[1])
            #expect(digits.labels![chosen[0]] != digits.labels![chosen[1]])
        }
    }

    @Test func digitsStayInsideTheFrameAndMoveAsDocumented() throws {
        let dataset = VMNIST(digits: digits, count: 100, seed: 3)
        let motion = VMNISTMotion()
        var speeds: [Float] = []
        for i in 0..<100 {
            let (chosen, poses) = dataset.motion(at: i)
            for (k, digit) in chosen.enumerated() {
                let radius = dataset.inkRadius(ofDigit: digit)
                for t in 0..<20 {
                    let pose = poses[t][k]
                    let reach = radius * pose.scale
                    #expect(pose.x - reach >= -1e-3 && pose.x + reach <= 64 + 1e-3, "x \(pose.x)")
                    #expect(pose.y - reach >= -1e-3 && pose.y + reach <= 64 + 1e-3, "y \(pose.y)")
                    #expect(motion.scale.contains(pose.scale))
                    if t > 0 {
                        let previous = poses[t - 1][k]
                        let spin = abs(pose.angle - previous.angle) * 180 / .pi
                        #expect(spin >= motion.angularSpeed.lowerBound - 1e-3
                                && spin <= motion.angularSpeed.upperBound + 1e-3)
                        let growth = abs(pose.scale - previous.scale)
                        #expect(growth <= motion.scaleSpeed.upperBound + 1e-4)
                        let dx = pose.x - previous.x, dy = pose.y - previous.y
                        speeds.append((dx * dx + dy * dy).squareRoot())
                    }
                }
            }
        }
        // Bounces change some steps: a border that moves in as the digit grows (by at most
        // radius·scaleSpeed, radius < 21) pushes it back by up to twice that per axis. Otherwise
        // steps are within the documented range, faster than Moving MNIST's 3.6 px/frame.
        let push = 3 * 21 * motion.scaleSpeed.upperBound
        #expect(speeds.allSatisfy { $0 <= motion.speed.upperBound + push }, "\(speeds.max()!)")
        let inRange = speeds.filter { motion.speed.contains($0) }.count
        #expect(Float(inRange) > 0.8 * Float(speeds.count))
        let mean = speeds.reduce(0, +) / Float(speeds.count)
        #expect(mean > 3.6 && mean <= motion.speed.upperBound, "mean speed \(mean)")
    }

    @Test func framesHoldBothDigitsWithoutClippingAndChangeOverTime() throws {
        // One digit alone: its rendered ink equals its original ink times scale² (bilinear
        // resampling keeps the mass of a scaled image), so nothing is cut at the borders.
        let single = VMNIST(digits: digits, count: 30, digitsPerSequence: 1, seed: 9)
        for i in 0..<30 {
            let sequence = try single.sequence(at: i)
            let (chosen, poses) = single.motion(at: i)
            let image = digits.pixels[(chosen[0] * 784)..<((chosen[0] + 1) * 784)]
            let mass = image.reduce(Float(0)) { $0 + Float($1) / 255 }
            for t in stride(from: 0, to: 20, by: 3) {
                let rendered = sequence.frame(t).reduce(0, +)
                let expected = mass * poses[t][0].scale * poses[t][0].scale
                #expect(abs(rendered - expected) < 0.06 * expected,
                        "sequence \(i) frame \(t): \(rendered) vs \(expected)")
            }
        }
        let dataset = VMNIST(digits: digits, count: 10, seed: 4)
        for i in 0..<10 {
            let sequence = try dataset.sequence(at: i)
            let values = sequence.scalars
            #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
            for t in 1..<20 { #expect(sequence.frame(t) != sequence.frame(t - 1)) }
            // Two digits show more ink than either alone (combined by max, so at most the sum).
            let ink = sequence.frame(0).filter { $0 > 0.1 }.count
            #expect(ink > 60)
        }
    }

    @Test func lengthAndSizeAreConfigurable() throws {
        let dataset = VMNIST(digits: digits, count: 2, sequenceLength: 7, size: 48, seed: 1)
        #expect(try dataset.sequence(at: 1).shape == [7, 48, 48, 1])
        #expect(dataset.frameShape == [48, 48, 1])
    }

    @Test func trainValidationAndTestPoolsAreDisjoint() throws {
        let all = syntheticDigits(count: 50)
        let (train, validation, test) = VMNIST.pools(of: all)
        #expect(train.count == 36 && validation.count == 4 && test.count == 10)
        func images(_ d: DigitImages) -> Set<[UInt8]> {
            Set((0..<d.count).map { Array(d.pixels[($0 * 784)..<(($0 + 1) * 784)]) })
        }
        #expect(images(train).isDisjoint(with: images(test)))
        #expect(images(train).isDisjoint(with: images(validation)))
        #expect(images(validation).isDisjoint(with: images(test)))
        #expect(images(train).union(images(validation)).union(images(test)) == images(all))
        let trainSet = VMNIST.standard(split: .train, digits: all, count: 20)
        let validationSet = VMNIST.standard(split: .validation, digits: all, count: 20)
        let testSet = VMNIST.standard(split: .test, digits: all, count: 20)
        #expect(trainSet.count == 20 && validationSet.digits.count == 4 && testSet.digits.count == 10)
        #expect(images(testSet.digits) == images(test))
        #expect(images(validationSet.digits) == images(validation))
        // Same index, different split: different sequences.
        let firsts = try [trainSet, validationSet, testSet].map { try $0.sequence(at: 0).scalars }
        #expect(Set(firsts).count == 3)
    }

    /// The benchmark as the CLI builds it, from the real packaged digits.
    @Test(.requires(.mlxtendDigits)) func standardSplitOfThePackagedDigits() throws {
        let real = try packagedDigits()
        let train = VMNIST.standard(split: .train, digits: real)
        let test = VMNIST.standard(split: .test, digits: real)
        #expect(train.count == 100_000 && test.count == 10_000)
        #expect(train.digits.count == 3600 && test.digits.count == 1000)
        #expect(train.digits.pixels == Array(real.pixels[0..<(3600 * 784)]))
        let validation = VMNIST.standard(split: .validation, digits: real)
        #expect(validation.count == 1000)
        #expect(validation.digits.pixels == Array(real.pixels[(3600 * 784)..<(4000 * 784)]))
        #expect(test.digits.pixels == Array(real.pixels[(4000 * 784)...]))
        let sequence = try test.sequence(at: 9_999)
        #expect(sequence.shape == [20, 64, 64, 1])
        #expect(sequence.scalars.max()! > 0.9)
    }
}
