import Engine
import Foundation
@testable import DataSources
@testable import Imaging
import Testing
import TestSupport

@Suite struct ImageTests {
    @Test func tensorRoundTripClipsAndRounds() {
        let t = Tensor(shape: [1, 3, 3], scalars: [-0.5, 0.5, 1.7, 0, 1, Float.nan, 0.2, 0.999, 0.0019])
        let image = Image(tensor: t)
        #expect(image.width == 3 && image.height == 1 && image.channels == 3)
        #expect(image.bytes == [0, 128, 255, 0, 255, 0, 51, 255, 0])
        let back = image.tensor()
        #expect(back.shape == [1, 3, 3])
        #expect(back.scalars[1] == Float(128) / 255)
    }

    @Test func channelsFirstLayoutMatchesChannelsLast() {
        let hwc = Tensor(shape: [2, 2, 3], scalars: (0..<12).map { Float($0) / 11 })
        let image = Image(tensor: hwc)
        let chw = image.tensor(layout: .chw)
        #expect(chw.shape == [3, 2, 2])
        // Pixel (y 1, x 0), channel 2 sits at index (1*2+0)*3+2 = 8 in HWC and 2*4+2 = 10 in CHW.
        #expect(chw.scalars[10] == image.tensor().scalars[8])
        #expect(abs(chw.scalars[10] - hwc.scalars[8]) < 0.5 / 255)
        #expect(Image(tensor: chw, layout: .chw) == image)
    }

    @Test func sequenceStacking() {
        let frames = [gradientImage(width: 5, height: 4, channels: 1), Image(width: 5, height: 4, channels: 1, fill: .white)]
        let t = Tensor(frames: frames)
        #expect(t.shape == [2, 4, 5, 1])
        #expect(Image.frames(sequence: t) == frames)
    }

    @Test func grayConversionUsesBT601() {
        let image = Image(width: 1, height: 1, channels: 3, bytes: [255, 0, 0])
        #expect(image.gray().bytes == [76])   // 0.299 · 255 = 76.2
        #expect(image.gray().rgb().bytes == [76, 76, 76])
    }

    @Test func nearestResizeRepeatsAndPicksCentres() {
        let image = Image(width: 2, height: 1, channels: 1, bytes: [10, 200])
        #expect(image.resized(width: 4, height: 2, method: .nearest).bytes == [10, 10, 200, 200, 10, 10, 200, 200])
        let wide = Image(width: 4, height: 1, channels: 1, bytes: [1, 2, 3, 4])
        #expect(wide.resized(width: 2, height: 1, method: .nearest).bytes == [2, 4])
    }

    @Test func bilinearResizeInterpolatesHalfPixelAligned() {
        let image = Image(width: 2, height: 1, channels: 1, bytes: [0, 100])
        // Target x centres map to source 0.5·(x+0.5) − 0.5: −0.25→0 (clamped), 0.25, 0.75, 1.25→1.
        #expect(image.resized(width: 4, height: 1, method: .bilinear).bytes == [0, 25, 75, 100])
        // Halving averages neighbouring pairs.
        let row = Image(width: 4, height: 1, channels: 1, bytes: [0, 100, 200, 250])
        #expect(row.resized(width: 2, height: 1, method: .bilinear).bytes == [50, 225])
    }

    @Test func centreCrop() {
        let image = Image(width: 5, height: 4, channels: 1, bytes: (0..<20).map(UInt8.init))
        let crop = image.centerCropped(width: 2, height: 2)
        // Margins: x (5-2)/2 = 1, y (4-2)/2 = 1.
        #expect(crop.bytes == [6, 7, 11, 12])
        #expect(image.centerCroppedSquare().width == 4)
        let t = FrameTransform(channels: 3, crop: .centerFraction(0.5), resize: (8, 6), resizeMethod: .nearest)
        let out = try? t.apply(gradientImage(width: 40, height: 20, channels: 1), path: "x")
        #expect(out?.width == 8 && out?.height == 6 && out?.channels == 3)
    }

    @Test func naturalOrder() {
        let names = ["f10.png", "f2.png", "f1.png", "F3.png", "f01.png", "a.png", "f2b.png"]
        #expect(NaturalOrder.sorted(names) == ["a.png", "f01.png", "f1.png", "f2.png", "f2b.png", "F3.png", "f10.png"])
    }
}
