import Engine
import Testing
import TestSupport

/// Multiply-add counts of the products, against hand counts: one multiply-add per weight use.
@Suite struct OperationCounterTests {
    func constant(_ shape: [Int], requiresGrad: Bool = false) -> Variable {
        Variable(Tensor(repeating: 0.5, shape: shape), requiresGrad: requiresGrad)
    }

    @Test func conv2dCountsOutputsTimesPatch() {
        // [2, 4, 5, 6] outputs, each summing 3 channels × 3×3 taps.
        let (y, macs) = OperationCounter.count {
            conv2d(constant([2, 3, 5, 6]), weight: constant([4, 3, 3, 3]), bias: constant([4]), padding: 1)
        }
        #expect(y.shape == [2, 4, 5, 6])
        #expect(macs == 2 * 4 * 5 * 6 * (3 * 3 * 3))
    }

    @Test func stridedConv2dCountsOnlyComputedOutputs() {
        // 7×7, kernel 3, stride 2, no padding → 3×3 outputs.
        let (_, macs) = OperationCounter.count {
            conv2d(constant([1, 2, 7, 7]), weight: constant([3, 2, 3, 3]), stride: 2)
        }
        #expect(macs == 486)   // 3 channels · 9 positions · (2 · 9) taps
    }

    @Test func conv3dCountsDepthToo() {
        // Depth 4, kernel depth 2, no depth padding → 3 slices; 5×5 with padding 1 stays 5×5.
        let (y, macs) = OperationCounter.count {
            conv3d(constant([1, 2, 4, 5, 5]), weight: constant([3, 2, 2, 3, 3]), padding: (0, 1, 1))
        }
        #expect(y.shape == [1, 3, 3, 5, 5])
        #expect(macs == 3 * 3 * 25 * (2 * 2 * 9))   // 8100
    }

    @Test func transposedConvCountsEachInputTimesKernel() {
        // Every input value meets Cout·kh·kw weights: 2·4·3·3 inputs × 5·4·4.
        let (y, macs) = OperationCounter.count {
            convTranspose2d(constant([2, 4, 3, 3]), weight: constant([4, 5, 4, 4]), stride: 2, padding: 1)
        }
        #expect(y.shape == [2, 5, 6, 6])
        #expect(macs == 5760)
    }

    @Test func matmulCountsMNK() {
        let (_, plain) = OperationCounter.count { matmul(constant([3, 4]), constant([4, 5])) }
        #expect(plain == 60)
        let (_, batched) = OperationCounter.count {
            matmul(constant([2, 4, 3]), constant([2, 5, 4]), transposeA: true, transposeB: true)
        }
        #expect(batched == 2 * 3 * 5 * 4)
    }

    @Test func countsOnlyInsideTheScopeAndOnlyForward() {
        let x = constant([1, 2, 4, 4], requiresGrad: true), w = constant([2, 2, 3, 3], requiresGrad: true)
        #expect(!OperationCounter.isCounting)
        _ = conv2d(x, weight: w, padding: 1)           // not counted, nothing to count into
        let (_, macs) = OperationCounter.count {
            #expect(OperationCounter.isCounting)
            let y = conv2d(x, weight: w, padding: 1)
            sum(y).backward()                           // backward products are not counted
            return y
        }
        #expect(macs == 2 * 16 * 18)
        #expect(!OperationCounter.isCounting)
    }

    @Test func nestedScopesBothCount() {
        let (inner, outer) = OperationCounter.count {
            _ = matmul(constant([2, 3]), constant([3, 4]))            // 24
            let (_, inner) = OperationCounter.count {
                matmul(constant([1, 5]), constant([5, 1]))            // 5
            }
            withoutGradients { _ = conv2d(constant([1, 1, 2, 2]), weight: constant([1, 1, 1, 1])) }   // 4
            return inner
        }
        #expect(inner == 5)
        #expect(outer == 24 + 5 + 4)
    }
}
