import Metrics
import Testing

/// Per-frame metrics against scikit-image 0.26 / numpy on fixed pseudo-random frames.
///
/// The constants come from this script (run once; `pip install scikit-image`):
///
///     import numpy as np
///     from skimage.metrics import structural_similarity, peak_signal_noise_ratio
///
///     def lcg(seed, n):  # same generator as the Swift test: 24-bit uniforms in [0, 1)
///         s, out = seed, []
///         for _ in range(n):
///             s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
///             out.append((s >> 40) / 2**24)
///         return np.array(out, dtype=np.float32)
///
///     def case(seed, h, w, c, spread):
///         t = lcg(seed, h * w * c).reshape(h, w, c)
///         u = lcg(seed + 1000, h * w * c).reshape(h, w, c)
///         # prediction = truth + spread·(u − 0.5), in float32, may leave [0, 1] (clipped below)
///         p = t + np.float32(spread) * (u - np.float32(0.5))
///         pc = np.clip(p, np.float32(0), np.float32(1))
///         b = lambda x: np.floor(np.clip(x, 0, 1) * np.float32(255) + np.float32(0.5)).astype(np.float64)
///         t64, p64 = t.astype(np.float64), pc.astype(np.float64)
///         ssim = structural_similarity(b(t), b(pc), win_size=7, data_range=255, channel_axis=-1)
///         psnr = peak_signal_noise_ratio(t64, p64, data_range=1.0)
///         d = t64 - p64
///         gdl = sum(np.abs(np.abs(np.diff(t64, axis=a)) - np.abs(np.diff(p64, axis=a))).sum() for a in (0, 1))
///         print(f"({seed}, {h}, {w}, {c}, {spread}): ssim {float(ssim)!r}, psnr {float(psnr)!r}, "
///               f"mse {float(np.sum(d * d))!r}, mae {float(np.sum(np.abs(d)))!r}, gdl {float(gdl)!r}")
///
///     for args in [(1, 8, 9, 1, 2.0), (2, 8, 9, 1, 0.3), (3, 10, 12, 3, 0.5), (4, 64, 64, 1, 0.2), (5, 7, 7, 2, 0.05)]:
///         case(*args)
///
/// (8-bit pixels are built as floor(x·255 + 0.5), i.e. round half up, as SPEC's round(x·255) is
/// implemented here; numpy's own round would round half to even.)
@Suite struct ReferenceTests {
    struct Case {
        let seed: UInt64, height: Int, width: Int, channels: Int, spread: Float
        let ssim: Double, psnr: Double, mse: Double, mae: Double, gdl: Double
    }

    static let cases: [Case] = [
        Case(seed: 1, height: 8, width: 9, channels: 1, spread: 2.0, ssim: 0.3635579264553188,
             psnr: 7.519351971590247, mse: 12.746686342755893, mae: 25.214698672294617, gdl: 53.55761033296585),
        Case(seed: 2, height: 8, width: 9, channels: 1, spread: 0.3, ssim: 0.9595330428577599,
             psnr: 21.738787073061623, mse: 0.48245164231637094, mae: 5.174677658826113, gdl: 11.56427500396967),
        Case(seed: 3, height: 10, width: 12, channels: 3, spread: 0.5, ssim: 0.9049162164255188,
             psnr: 17.638608824025084, mse: 6.200712826849823, mae: 39.3657748401165, gdl: 86.70546606183052),
        Case(seed: 4, height: 64, width: 64, channels: 1, spread: 0.2, ssim: 0.9804056326488958,
             psnr: 24.97886904718908, mse: 13.015865233187425, mae: 199.13337267865427, gdl: 506.7754562282935),
        Case(seed: 5, height: 7, width: 7, channels: 2, spread: 0.05, ssim: 0.9987706902496497,
             psnr: 36.685319841458835, mse: 0.021022971015684327, mae: 1.2509497052524239, gdl: 2.6524444120004773),
    ]

    static func pair(_ c: Case) -> (truth: [Float], prediction: [Float]) {
        referencePair(seed: c.seed, height: c.height, width: c.width, channels: c.channels, spread: c.spread)
    }

    @Test(arguments: cases.indices)
    func frameScoresMatchScikitImage(_ index: Int) {
        let c = Self.cases[index]
        let (t, p) = Self.pair(c)
        let (scores, _) = scoreFrame(t, p, height: c.height, width: c.width, channels: c.channels)
        // SSIM is computed from exact integer window sums: agreement to rounding.
        #expect(close(scores.ssim, c.ssim, 1e-10), "SSIM \(scores.ssim) vs \(c.ssim)")
        // The rest sum Float differences in Float lanes: ~7 digits.
        #expect(close(scores.psnr, c.psnr, 1e-5), "PSNR \(scores.psnr) vs \(c.psnr)")
        #expect(close(scores.squaredError, c.mse, 1e-5), "MSE \(scores.squaredError) vs \(c.mse)")
        #expect(close(scores.absoluteError, c.mae, 1e-5), "MAE \(scores.absoluteError) vs \(c.mae)")
        #expect(close(scores.gradientDifference, c.gdl, 1e-5), "GDL \(scores.gradientDifference) vs \(c.gdl)")
    }
}
