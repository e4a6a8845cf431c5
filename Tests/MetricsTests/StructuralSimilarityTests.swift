import Metrics
import Testing

/// SSIM on frames worked out by hand (7×7: exactly one window).
@Suite struct StructuralSimilarityTests {
    static func ssim(_ x: [Float], _ y: [Float], height: Int, width: Int) -> Double {
        var scratch = [Float](repeating: 0, count: StructuralSimilarity.scratchCount(height: height, width: width))
        return StructuralSimilarity.meanSSIM(x, y, height: height, width: width, scratch: &scratch)
    }

    @Test func constantFrames() {
        // x ≡ 100, y ≡ 50: no variance, so SSIM = (2·ux·uy + C1)/(ux² + uy² + C1) with
        // C1 = (0.01·255)² = 6.5025: 10006.5025 / 12506.5025 = 0.80010398590653...
        let value = Self.ssim([Float](repeating: 100, count: 49), [Float](repeating: 50, count: 49),
                              height: 7, width: 7)
        #expect(close(value, 10006.5025 / 12506.5025, 1e-12))
        #expect(close(value, 0.8001039859065314, 1e-12))  // scikit-image
    }

    @Test func onePixelAgainstBlack() {
        // x ≡ 0; y is 0 except one 255 pixel. ux = vx = vxy = 0, uy = 255/49,
        // vy (sample, N/(N−1)) = (49·255² − 255²)/(49·48) = 255²/49 = 1327.04...,
        // SSIM = C1·C2 / ((uy² + C1)(vy + C2)) with C2 = (0.03·255)² = 58.5225 → 0.0081777145348...
        var y = [Float](repeating: 0, count: 49)
        y[24] = 255
        let value = Self.ssim([Float](repeating: 0, count: 49), y, height: 7, width: 7)
        let uy = 255.0 / 49, vy = 65025.0 / 49, c1 = 6.5025, c2 = 58.5225
        #expect(close(value, c1 * c2 / ((uy * uy + c1) * (vy + c2)), 1e-12))
        #expect(close(value, 0.008177714534840484, 1e-12))  // scikit-image
    }

    @Test func identicalFramesScoreOne() {
        let x = uniforms(seed: 11, count: 20 * 13).map { ($0 * 255).rounded() }
        #expect(close(Self.ssim(x, x, height: 20, width: 13), 1, 1e-14))
    }

    @Test func meanOverValidWindowsOnly() {
        // 7×8 plane: two windows (columns 0–6 and 1–7). Column 7 of x differs from y only
        // in the second window; the first window sees identical content (SSIM 1), so the mean is
        // (1 + s₂)/2 with s₂ the single-window SSIM of the shifted planes.
        let x = uniforms(seed: 12, count: 56).map { ($0 * 255).rounded() }
        var y = x
        for r in 0..<7 { y[r * 8 + 7] = 255 - x[r * 8 + 7] }
        let whole = Self.ssim(x, y, height: 7, width: 8)
        let shiftedX = (0..<7).flatMap { r in x[(r * 8 + 1)...(r * 8 + 7)] }
        let shiftedY = (0..<7).flatMap { r in y[(r * 8 + 1)...(r * 8 + 7)] }
        let second = Self.ssim(Array(shiftedX), Array(shiftedY), height: 7, width: 7)
        #expect(second < 0.99)
        #expect(close(whole, (1 + second) / 2, 1e-12))
    }
}
