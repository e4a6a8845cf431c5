@testable import Engine
import Testing
import TestSupport

/// Reference permutation by plain index arithmetic, to check the fast kernel against.
private func naivePermute(_ t: Tensor, _ axes: [Int]) -> [Float] {
    let outShape = axes.map { t.shape[$0] }
    let inStrides = Shape.strides(t.shape)
    var result = [Float]()
    result.reserveCapacity(t.count)
    for flat in 0..<t.count {
        var rest = flat, offset = 0
        for axis in stride(from: outShape.count - 1, through: 0, by: -1) {
            offset += (rest % outShape[axis]) * inStrides[axes[axis]]
            rest /= outShape[axis]
        }
        result.append(t.pointer[offset])
    }
    return result
}

private func iota(_ shape: [Int]) -> Tensor {
    Tensor(shape: shape, scalars: (0..<Shape.elementCount(shape)).map(Float.init))
}

@Suite struct ShapeOpsTests {
    // MARK: reshape

    @Test func reshapeSharesStorageAndInfersOneDimension() {
        let x = Variable(iota([2, 3, 4]))
        let y = x.reshaped([4, -1])
        #expect(y.shape == [4, 6])
        #expect(y.value.storage === x.value.storage)
        #expect(reshape(x, [24]).value.scalars == x.value.scalars)
    }

    @Test func reshapeGradient() {
        var random = TestRandom(seed: 1)
        checkGradients([random.tensor([2, 3, 4])]) { v in reshape(v[0], [3, -1, 2]) }
    }

    // MARK: permute

    @Test func permuteHandComputed() {
        // [[0,1,2],[3,4,5]] transposed.
        let t = Permute.apply(iota([2, 3]), axes: [1, 0])
        #expect(t.shape == [3, 2])
        #expect(t.scalars == [0, 3, 1, 4, 2, 5])
        // [2,2,2]: (a,b,c) → (c,a,b); value 4a+2b+c.
        let u = Permute.apply(iota([2, 2, 2]), axes: [2, 0, 1])
        #expect(u.scalars == [0, 2, 4, 6, 1, 3, 5, 7])
    }

    @Test func permuteMatchesNaiveReferenceOnEveryPath() {
        var random = TestRandom(seed: 2)
        let cases: [([Int], [Int])] = [
            ([2, 3, 5, 7, 4], [0, 1, 4, 2, 3]),  // [B,T,H,W,C] → [B,T,C,H,W]: batched transpose
            ([2, 3, 4, 5, 7], [0, 1, 3, 4, 2]),  // and back
            ([3, 5, 6, 7], [0, 2, 3, 1]),        // NCHW → NHWC
            ([3, 6, 7, 5], [0, 3, 1, 2]),        // NHWC → NCHW
            ([2, 40, 70, 3], [0, 3, 1, 2]),      // several 32×32 tiles with ragged edges
            ([4, 3, 5], [1, 0, 2]),              // innermost axis kept: block copies
            ([2, 3, 2, 5, 2, 3], [0, 1, 3, 2, 4, 5]),  // patchify's permutation
            ([3, 4, 5], [2, 1, 0]),              // general strided gather
            ([2, 3, 4, 5], [3, 1, 0, 2]),        // general, rank 4
            ([1, 4, 1, 3], [2, 3, 0, 1]),        // size-1 axes dropped
            ([1, 1, 2, 1, 2, 2], [0, 1, 3, 2, 4, 5]),  // neighbours across a dropped axis: a copy
            ([2, 1, 3, 1, 4], [0, 3, 4, 1, 2]),  // … and a batched transpose
            ([5], [0]),                          // identity
            ([2, 3, 4], [0, 1, 2]),              // identity, merged to one axis
            ([300, 200], [1, 0]),                // large enough to run in parallel
        ]
        for (shape, axes) in cases {
            let t = random.tensor(shape)
            let fast = Permute.apply(t, axes: axes)
            #expect(fast.shape == axes.map { shape[$0] }, "shape for \(shape) \(axes)")
            #expect(fast.scalars == naivePermute(t, axes), "values for \(shape) \(axes)")
        }
    }

    @Test func permuteMatchesNaiveReferenceOnRandomShapes() {
        // Random ranks, sizes (many of them 1) and permutations exercise the axis merging.
        var random = TestRandom(seed: 20)
        for _ in 0..<300 {
            let rank = 1 + Int(random.next() % 6)
            let shape = (0..<rank).map { _ in 1 + Int(random.next() % 4) }
            var axes = Array(0..<rank)
            for i in stride(from: rank - 1, to: 0, by: -1) { axes.swapAt(i, Int(random.next() % UInt64(i + 1))) }
            let t = random.tensor(shape)
            #expect(Permute.apply(t, axes: axes).scalars == naivePermute(t, axes), "\(shape) \(axes)")
        }
    }

    @Test func permuteRoundTrips() {
        var random = TestRandom(seed: 3)
        let t = random.tensor([2, 3, 4, 5, 6])
        let toChannelsFirst = Permute.apply(t, axes: [0, 1, 4, 2, 3])
        #expect(Permute.apply(toChannelsFirst, axes: [0, 1, 3, 4, 2]).scalars == t.scalars)
        let nhwc = Permute.apply(toChannelsFirst.reshaped([6, 6, 4, 5]), axes: [0, 2, 3, 1])
        #expect(Permute.apply(nhwc, axes: [0, 3, 1, 2]).scalars == toChannelsFirst.scalars)
        let odd = [3, 0, 4, 2, 1]
        var inverse = [Int](repeating: 0, count: 5)
        for (k, a) in odd.enumerated() { inverse[a] = k }
        #expect(Permute.apply(Permute.apply(t, axes: odd), axes: inverse).scalars == t.scalars)
    }

    @Test func permuteGradient() {
        var random = TestRandom(seed: 4)
        checkGradients([random.tensor([2, 3, 2, 4])]) { v in permute(v[0], [2, 0, 3, 1]) }
        checkGradients([random.tensor([2, 2, 3, 2, 3])]) { v in permute(v[0], [0, 1, 4, 2, 3]) }
    }

    // MARK: concat / stack

    @Test func concatHandComputed() {
        let a = Variable(Tensor(shape: [2, 1], scalars: [1, 2]))
        let b = Variable(Tensor(shape: [2, 2], scalars: [3, 4, 5, 6]))
        #expect(concat([a, b], axis: 1).value.scalars == [1, 3, 4, 2, 5, 6])
        #expect(concat([a, b], axis: -1).shape == [2, 3])
        let c = Variable(Tensor(shape: [1, 2], scalars: [7, 8]))
        let d = concat([b, c], axis: 0)
        #expect(d.shape == [3, 2] && d.value.scalars == [3, 4, 5, 6, 7, 8])
    }

    @Test func concatGradient() {
        var random = TestRandom(seed: 5)
        checkGradients([random.tensor([2, 3, 2]), random.tensor([2, 1, 2]), random.tensor([2, 4, 2])]) { v in
            concat(v, axis: 1)
        }
        // The same variable twice: its gradients add up.
        checkGradients([random.tensor([2, 3])]) { v in concat([v[0], v[0]], axis: 0) }
    }

    @Test func stackHandComputedAndGradient() {
        let a = Variable(Tensor(shape: [2], scalars: [1, 2]))
        let b = Variable(Tensor(shape: [2], scalars: [3, 4]))
        let s0 = stack([a, b], axis: 0), s1 = stack([a, b], axis: 1)
        #expect(s0.shape == [2, 2] && s0.value.scalars == [1, 2, 3, 4])
        #expect(s1.shape == [2, 2] && s1.value.scalars == [1, 3, 2, 4])
        #expect(stack([a, b], axis: -1).shape == [2, 2])
        var random = TestRandom(seed: 6)
        checkGradients([random.tensor([2, 3]), random.tensor([2, 3]), random.tensor([2, 3])]) { v in
            stack(v, axis: 1)
        }
    }

    // MARK: split / chunk

    @Test func splitHandComputed() {
        let x = Variable(iota([2, 5]))
        let parts = split(x, sizes: [2, 0, 3], axis: 1)
        #expect(parts.map(\.shape) == [[2, 2], [2, 0], [2, 3]])
        #expect(parts[0].value.scalars == [0, 1, 5, 6])
        #expect(parts[2].value.scalars == [2, 3, 4, 7, 8, 9])
    }

    @Test func chunkSplitsConvChannelsIntoGates() {
        // [B=2, 7·N=14, H=2, W=3]: gate g holds channels 2g, 2g+1.
        let x = Variable(iota([2, 14, 2, 3]))
        let gates = chunk(x, 7, axis: 1)
        #expect(gates.count == 7 && gates.allSatisfy { $0.shape == [2, 2, 2, 3] })
        for (g, gate) in gates.enumerated() {
            for b in 0..<2 { for c in 0..<2 { for h in 0..<2 { for w in 0..<3 {
                #expect(gate.value[b, c, h, w] == x.value[b, 2 * g + c, h, w])
            } } } }
        }
    }

    @Test func splitGradientWithSomePartsUnused() {
        var random = TestRandom(seed: 7)
        // Parts 0 and 2 reach the result in swapped order; part 1 gets no gradient.
        checkGradients([random.tensor([2, 6, 3])]) { v in
            let parts = split(v[0], sizes: [1, 2, 3], axis: 1)
            return concat([parts[2], parts[0]], axis: 1)
        }
        // Every part used, chunked along the last axis.
        checkGradients([random.tensor([3, 4])]) { v in
            let parts = chunk(v[0], 2, axis: -1)
            return concat([parts[1], parts[0]], axis: 0)
        }
    }

    @Test func splitBackwardFillsUnusedPartsWithZeros() {
        let x = Variable(iota([2, 4]), requiresGrad: true)
        let parts = chunk(x, 4, axis: 1)
        parts[2].backward(seed: Tensor(shape: [2, 1], scalars: [5, 6]))
        #expect(x.grad?.scalars == [0, 0, 5, 0, 0, 0, 6, 0])
        // No graph needed when x needs no gradient.
        let constant = Variable(iota([2, 4]))
        let leaves = chunk(constant, 2, axis: 1).allSatisfy { $0.isLeaf }
        #expect(leaves)
    }

    // MARK: slice / select

    @Test func sliceAndSelectHandComputed() {
        let x = Variable(iota([2, 3, 2]))  // value 6a + 2b + c
        let s = slice(x, range: 1..<3, axis: 1)
        #expect(s.shape == [2, 2, 2] && s.value.scalars == [2, 3, 4, 5, 8, 9, 10, 11])
        let frame = select(x, index: 1, axis: 1)
        #expect(frame.shape == [2, 2] && frame.value.scalars == [2, 3, 8, 9])
        #expect(select(x, index: 1, axis: -1).value.scalars == [1, 3, 5, 7, 9, 11])
        #expect(select(x, index: 0, axis: 0).value.scalars == [0, 1, 2, 3, 4, 5])
    }

    @Test func selectFrameOfVideo() {
        var random = TestRandom(seed: 8)
        let video = Variable(random.tensor([2, 4, 3, 2, 2]))  // [B,T,C,H,W]
        let frame = select(video, index: 2, axis: 1)
        #expect(frame.shape == [2, 3, 2, 2])
        for b in 0..<2 { for c in 0..<3 { for h in 0..<2 { for w in 0..<2 {
            #expect(frame.value[b, c, h, w] == video.value[b, 2, c, h, w])
        } } } }
    }

    @Test func sliceAndSelectGradients() {
        var random = TestRandom(seed: 9)
        checkGradients([random.tensor([3, 4, 2])]) { v in slice(v[0], range: 1..<3, axis: 1) }
        checkGradients([random.tensor([3, 4, 2])]) { v in select(v[0], index: 3, axis: 1) }
        checkGradients([random.tensor([3, 4, 2])]) { v in select(v[0], index: 0, axis: 0) }
    }

    // MARK: error messages

    @Test func badAxesAndSizesFailNamingOpAndShapes() async {
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = permute(Variable(Tensor(zeros: [2, 3, 4])), [0, 0, 1])
        }, "permute: axes [0, 0, 1] are not a permutation", "[2, 3, 4]")
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = concat([Variable(Tensor(zeros: [2, 3])), Variable(Tensor(zeros: [2, 4]))], axis: 0)
        }, "concat: shape [2, 4] does not match [2, 3]")
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = split(Variable(Tensor(zeros: [2, 5])), sizes: [2, 2], axis: 1)
        }, "split: sizes [2, 2] do not add up to axis 1 of shape [2, 5]")
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = chunk(Variable(Tensor(zeros: [2, 5])), 2, axis: 1)
        }, "chunk: axis 1 of shape [2, 5] does not divide into 2")
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = select(Variable(Tensor(zeros: [2, 5])), index: 0, axis: 3)
        }, "select: axis 3 out of range for shape [2, 5]")
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = slice(Variable(Tensor(zeros: [2, 5])), range: 3..<6, axis: 1)
        }, "slice: range 3..<6 out of bounds for axis 1 of shape [2, 5]")
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = reshape(Variable(Tensor(zeros: [2, 5])), [3, -1])
        }, "reshape: cannot reshape [2, 5]")
    }
}

/// Expects the standard error of an exit test (a failed precondition) to contain every fragment.
func expectExitMessage(_ result: ExitTest.Result?, _ fragments: String...,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    guard let result else { return }
    let message = String(decoding: result.standardErrorContent, as: UTF8.self)
    for fragment in fragments {
        #expect(message.contains(fragment), "missing \"\(fragment)\" in: \(message)",
                sourceLocation: sourceLocation)
    }
}
