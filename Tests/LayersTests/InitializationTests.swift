import Engine
import Layers
import Testing

@Suite struct InitializationTests {
    @Test func fanInFollowsPyTorch() {
        // Conv2d [out, in, kh, kw]: in·kh·kw.
        #expect(Initialization.fanIn(ofConvWeight: [16, 8, 3, 3], transposed: false) == 72)
        // Conv3d [out, in, kd, kh, kw].
        #expect(Initialization.fanIn(ofConvWeight: [4, 6, 2, 5, 5], transposed: false) == 300)
        // ConvTranspose2d [in, out, kh, kw]: PyTorch reads dimension 1, i.e. out·kh·kw.
        #expect(Initialization.fanIn(ofConvWeight: [16, 64, 4, 4], transposed: true) == 1024)
        #expect(Initialization.outputChannels(ofConvWeight: [16, 64, 4, 4], transposed: true) == 64)
        #expect(Initialization.outputChannels(ofConvWeight: [16, 64, 4, 4], transposed: false) == 16)
    }

    @Test func kaimingUniformBoundsAndSpread() {
        var generator = RandomGenerator(seed: 11)
        let shape = [64, 32, 5, 5]
        let fanIn = Initialization.fanIn(ofConvWeight: shape, transposed: false)
        let weight = Initialization.kaimingUniformConvWeight(shape: shape, fanIn: fanIn,
                                                             using: &generator)
        let bound = 1 / Float(fanIn).squareRoot()  // 1/√800
        #expect(weight.shape == shape)
        let values = weight.scalars
        #expect(values.allSatisfy { abs($0) <= bound })
        // Spread: U(−b, b) has std b/√3 and nearly reaches both ends.
        let (mean, std) = meanAndStd(values)
        #expect(abs(mean) < 0.01 * Double(bound))
        #expect(abs(std - Double(bound) / 3.0.squareRoot()) < 0.01 * Double(bound))
        #expect(values.min()! < -0.99 * bound && values.max()! > 0.99 * bound)
    }

    @Test func convParametersDrawWeightThenBias() {
        var generator = RandomGenerator(seed: 5)
        let (weight, bias) = Initialization.convParameters(weightShape: [8, 64, 4, 4],
                                                           transposed: true, bias: true,
                                                           using: &generator)
        #expect(weight.shape == [8, 64, 4, 4])
        #expect(bias?.shape == [64])  // ConvTranspose bias: one per output channel (dim 1)
        let bound = 1 / Float(64 * 16).squareRoot()
        #expect(bias!.scalars.allSatisfy { abs($0) <= bound })
        #expect(bias!.scalars.contains { abs($0) > bound / 2 })  // uses the whole range

        // Same draws as calling the pieces in PyTorch's order.
        var replay = RandomGenerator(seed: 5)
        let w = Initialization.kaimingUniformConvWeight(shape: [8, 64, 4, 4], fanIn: 1024, using: &replay)
        let b = Initialization.convBias(count: 64, fanIn: 1024, using: &replay)
        #expect(w.scalars == weight.scalars && b.scalars == bias!.scalars)

        let noBias = Initialization.convParameters(weightShape: [4, 4, 3, 3], transposed: false,
                                                   bias: false, using: &generator)
        #expect(noBias.bias == nil)
    }

    @Test func convBiasBoundsAndSpread() {
        var generator = RandomGenerator(seed: 9)
        let fanIn = 9
        let bias = Initialization.convBias(count: 50_000, fanIn: fanIn, using: &generator)
        let bound: Float = 1 / 3
        #expect(bias.shape == [50_000])
        #expect(bias.scalars.allSatisfy { abs($0) <= bound })
        let (mean, std) = meanAndStd(bias.scalars)
        #expect(abs(mean) < 0.01 * Double(bound))
        #expect(abs(std - Double(bound) / 3.0.squareRoot()) < 0.01 * Double(bound))
    }

    @Test func layerNormStartsAsIdentity() {
        #expect(Initialization.layerNormWeight(shape: [3, 2]).scalars == [1, 1, 1, 1, 1, 1])
        #expect(Initialization.layerNormBias(shape: [4]).scalars == [0, 0, 0, 0])
    }

    private func meanAndStd(_ values: [Float]) -> (Double, Double) {
        let doubles = values.map(Double.init)
        let mean = doubles.reduce(0, +) / Double(doubles.count)
        let variance = doubles.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(doubles.count - 1)
        return (mean, variance.squareRoot())
    }
}
