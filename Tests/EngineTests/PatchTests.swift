@testable import Engine
import Foundation
import Testing
import TestSupport

@Suite struct PatchTests {
    @Test func patchifyHandComputedSingleChannel() {
        // 4×4 image with values 0…15, p = 2: cell (i, j) holds pixels in order (0,0),(0,1),(1,0),(1,1).
        let image = Tensor(shape: [1, 1, 4, 4, 1], scalars: (0..<16).map(Float.init))
        let patches = Patching.patchify(image, patchSize: 2)
        #expect(patches.shape == [1, 1, 2, 2, 4])
        #expect(patches.scalars == [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15])
    }

    @Test func patchifyChannelOrderIsPatchPositionThenChannel() {
        // Pixel (y, x, c) = 100y + 10x + c; one 2×2 patch with C = 2 → channel (ph·2 + pw)·2 + c.
        var values = [Float]()
        for y in 0..<2 { for x in 0..<2 { for c in 0..<2 { values.append(Float(100 * y + 10 * x + c)) } } }
        let patches = Patching.patchify(Tensor(shape: [1, 1, 2, 2, 2], scalars: values), patchSize: 2)
        #expect(patches.shape == [1, 1, 1, 1, 8])
        #expect(patches.scalars == [0, 1, 10, 11, 100, 101, 110, 111])
    }

    @Test func patchifyFollowsSpecIndexFormula() {
        var random = TestRandom(seed: 11)
        let (b, t, h, w, c, p) = (2, 3, 6, 9, 2, 3)
        let frames = random.tensor([b, t, h, w, c])
        let patches = Patching.patchify(frames, patchSize: p)
        #expect(patches.shape == [b, t, h / p, w / p, p * p * c])
        var mismatches = 0
        for n in 0..<b { for s in 0..<t { for y in 0..<h { for x in 0..<w { for ch in 0..<c {
            let (i, ph, j, pw) = (y / p, y % p, x / p, x % p)
            if patches[n, s, i, j, (ph * p + pw) * c + ch] != frames[n, s, y, x, ch] { mismatches += 1 }
        } } } } }
        #expect(mismatches == 0)
        #expect(Patching.unpatchify(patches, patchSize: p).scalars == frames.scalars)
        #expect(Patching.unpatchify(patches, patchSize: p).shape == frames.shape)
    }

    @Test func patchifyMatchesReferenceFixture() throws {
        let fixture = try ReferenceTensors("predrnn_small")
        let raw = try fixture.tensor("input.frames_raw")
        let expected = try fixture.tensor("input.frames")
        #expect(raw.shape == [2, 6, 16, 16, 1] && expected.shape == [2, 6, 8, 8, 4])
        let patches = patchify(Variable(raw), patchSize: 2).value
        #expect(patches.shape == expected.shape)
        #expect(patches.scalars == expected.scalars)
        #expect(unpatchify(Variable(expected), patchSize: 2).value.scalars == raw.scalars)
    }

    @Test func gradients() {
        var random = TestRandom(seed: 12)
        checkGradients([random.tensor([1, 2, 4, 6, 2])]) { v in patchify(v[0], patchSize: 2) }
        checkGradients([random.tensor([2, 1, 2, 3, 8])]) { v in unpatchify(v[0], patchSize: 2) }
    }

    @Test func indivisibleFrameFails() async {
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Patching.patchify(Tensor(zeros: [1, 2, 6, 5, 1]), patchSize: 2)
        }, "patchify: frame size 6×5 of shape [1, 2, 6, 5, 1] is not divisible by patch size 2")
        expectExitMessage(await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Patching.unpatchify(Tensor(zeros: [1, 2, 3, 3, 6]), patchSize: 2)
        }, "unpatchify: shape [1, 2, 3, 3, 6]")
    }
}
