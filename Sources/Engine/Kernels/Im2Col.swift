/// The index geometry of one convolution: input and output sizes, kernel, stride, zero padding.
/// Everything is 3-D (depth, height, width); a 2-D convolution is the case depth 1, kernel depth 1.
///
/// The column matrix ("col") of a convolution has one row per (input channel, kernel offset) and
/// one column per (batch item, output position): [channels·kd·kh·kw, batch·od·oh·ow]. Folding the
/// batch into the columns lets a whole batch go through one large GEMM.
public struct ConvGeometry: Equatable, Sendable {
    public let batch: Int
    public let channels: Int
    public let inputDepth: Int, inputHeight: Int, inputWidth: Int
    public let kernelDepth: Int, kernelHeight: Int, kernelWidth: Int
    public let strideDepth: Int, strideHeight: Int, strideWidth: Int
    public let padDepth: Int, padHeight: Int, padWidth: Int
    public let outputDepth: Int, outputHeight: Int, outputWidth: Int

    public init(op: String, batch: Int, channels: Int, input: (Int, Int, Int), kernel: (Int, Int, Int),
                stride: (Int, Int, Int), padding: (Int, Int, Int)) {
        precondition(kernel.0 > 0 && kernel.1 > 0 && kernel.2 > 0, "\(op): kernel \(kernel) must be positive")
        precondition(stride.0 > 0 && stride.1 > 0 && stride.2 > 0, "\(op): stride \(stride) must be positive")
        precondition(padding.0 >= 0 && padding.1 >= 0 && padding.2 >= 0,
                     "\(op): padding \(padding) must not be negative")
        func outputSize(_ size: Int, _ k: Int, _ s: Int, _ p: Int) -> Int {
            precondition(size + 2 * p >= k,
                         "\(op): kernel \(kernel) larger than padded input \(input) (padding \(padding))")
            return (size + 2 * p - k) / s + 1
        }
        self.batch = batch
        self.channels = channels
        (inputDepth, inputHeight, inputWidth) = input
        (kernelDepth, kernelHeight, kernelWidth) = kernel
        (strideDepth, strideHeight, strideWidth) = stride
        (padDepth, padHeight, padWidth) = padding
        outputDepth = outputSize(input.0, kernel.0, stride.0, padding.0)
        outputHeight = outputSize(input.1, kernel.1, stride.1, padding.1)
        outputWidth = outputSize(input.2, kernel.2, stride.2, padding.2)
    }

    public var kernelVolume: Int { kernelDepth * kernelHeight * kernelWidth }
    public var inputPlane: Int { inputDepth * inputHeight * inputWidth }
    public var outputPlane: Int { outputDepth * outputHeight * outputWidth }
    /// Rows of the column matrix (the GEMM's K).
    public var patchSize: Int { channels * kernelVolume }
    /// Columns of the column matrix (the GEMM's N).
    public var columnCount: Int { batch * outputPlane }
    /// 1×1(×1), stride 1, no padding: the column matrix is the input itself, reordered.
    public var isPointwise: Bool {
        kernelVolume == 1 && strideDepth == 1 && strideHeight == 1 && strideWidth == 1
            && padDepth == 0 && padHeight == 0 && padWidth == 0
    }

    /// The image side [B, C, (D,) H, W] for a tensor of rank 4 (2-D) or 5 (3-D).
    public func imageShape(rank: Int) -> [Int] {
        rank == 5 ? [batch, channels, inputDepth, inputHeight, inputWidth]
                  : [batch, channels, inputHeight, inputWidth]
    }

    /// The output side [B, channels, (od,) oh, ow].
    public func outputShape(channels: Int, rank: Int) -> [Int] {
        rank == 5 ? [batch, channels, outputDepth, outputHeight, outputWidth]
                  : [batch, channels, outputHeight, outputWidth]
    }

    /// A weight [outputChannels, C, (kd,) kh, kw] (for a transposed convolution,
    /// `outputChannels` is its input's channel count).
    public func weightShape(outputChannels: Int, rank: Int) -> [Int] {
        rank == 5 ? [outputChannels, channels, kernelDepth, kernelHeight, kernelWidth]
                  : [outputChannels, channels, kernelHeight, kernelWidth]
    }

    /// Output positions `o` along one axis whose input index `o·stride + offset` lies in
    /// `0..<size`, as a half-open range clamped to `0..<outputSize`.
    @inline(__always)
    static func validRange(offset: Int, stride: Int, size: Int, outputSize: Int) -> (Int, Int) {
        let low = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let last = size - 1 - offset
        let high = last < 0 ? 0 : min(outputSize, last / stride + 1)
        return (min(low, high), high)
    }
}

/// im2col / col2im between a batch of images [B, C, D, H, W] and the column matrix of
/// `ConvGeometry`. Both split their work over the cores with `Parallel`; each task writes a
/// disjoint part of the output, so no locking.
public enum Im2Col {
    /// Work (elements) below which a task is not worth handing to another core.
    static let grain = 16_384

    /// Writes the column matrix [patchSize, columnCount] of `input` into `columns`.
    public static func im2col(_ input: UnsafePointer<Float>, _ g: ConvGeometry,
                              into columns: UnsafeMutablePointer<Float>) {
        let n = g.columnCount
        let volume = g.kernelVolume, area = g.kernelHeight * g.kernelWidth
        let (ow, oh, od) = (g.outputWidth, g.outputHeight, g.outputDepth)
        let (width, height, depth) = (g.inputWidth, g.inputHeight, g.inputDepth)
        let (sw, sh, sd) = (g.strideWidth, g.strideHeight, g.strideDepth)
        let channels = g.channels, inputPlane = g.inputPlane, batch = g.batch
        // Each task fills whole rows: one (channel, kernel offset) for every batch item.
        Parallel.forRanges(g.patchSize, minimumPerTask: max(1, grain / max(n, 1))) { rows in
            for row in rows {
                let channel = row / volume
                let offset = row - channel * volume
                let kz = offset / area
                let ky = (offset - kz * area) / g.kernelWidth
                let kx = offset - kz * area - ky * g.kernelWidth
                let xOffset = kx - g.padWidth
                let (low, high) = ConvGeometry.validRange(offset: xOffset, stride: sw, size: width,
                                                          outputSize: ow)
                var out = columns + row * n
                for item in 0..<batch {
                    let image = input + (item &* channels &+ channel) &* inputPlane
                    for oz in 0..<od {
                        let z = oz &* sd &+ kz &- g.padDepth
                        guard z >= 0 && z < depth else {
                            out.update(repeating: 0, count: oh &* ow)
                            out += oh &* ow
                            continue
                        }
                        for oy in 0..<oh {
                            let y = oy &* sh &+ ky &- g.padHeight
                            guard y >= 0 && y < height, low < high else {
                                out.update(repeating: 0, count: ow)
                                out += ow
                                continue
                            }
                            let start: Int = (z &* height &+ y) &* width &+ low &* sw &+ xOffset
                            let source = image + start
                            copyStrip(from: source, stride: sw, into: out, low: low, high: high, width: ow)
                            out += ow
                        }
                    }
                }
            }
        }
    }

    /// Accumulates the column matrix back into images: `output` [B, C, D, H, W] receives the sum of
    /// every column entry that reads its position (the adjoint of `im2col`). Each image plane
    /// starts at `channelBase[channel]` (a bias) or at zero.
    public static func col2im(_ columns: UnsafePointer<Float>, _ g: ConvGeometry,
                              into output: UnsafeMutablePointer<Float>,
                              channelBase: UnsafePointer<Float>? = nil) {
        let n = g.columnCount
        let volume = g.kernelVolume, area = g.kernelHeight * g.kernelWidth
        let (ow, oh, od) = (g.outputWidth, g.outputHeight, g.outputDepth)
        let (width, height, depth) = (g.inputWidth, g.inputHeight, g.inputDepth)
        let (sw, sh, sd) = (g.strideWidth, g.strideHeight, g.strideDepth)
        let channels = g.channels, inputPlane = g.inputPlane, outputPlane = g.outputPlane
        let batch = g.batch
        // Each task owns whole image planes (channel, item): it alone writes them, and the plane
        // stays in L1 while all kernel offsets are added into it.
        let perPlane = max(volume * outputPlane, 1)
        Parallel.forRanges(channels * batch, minimumPerTask: max(1, grain / perPlane)) { planes in
            for planeIndex in planes {
                let channel = planeIndex / batch
                let item = planeIndex - channel * batch
                let image = output + (item &* channels &+ channel) &* inputPlane
                image.update(repeating: channelBase?[channel] ?? 0, count: inputPlane)
                for offset in 0..<volume {
                    let kz = offset / area
                    let ky = (offset - kz * area) / g.kernelWidth
                    let kx = offset - kz * area - ky * g.kernelWidth
                    let xOffset = kx - g.padWidth
                    let (low, high) = ConvGeometry.validRange(offset: xOffset, stride: sw, size: width,
                                                              outputSize: ow)
                    guard low < high else { continue }
                    let start: Int = (channel &* volume &+ offset) &* n &+ item &* outputPlane
                    var source = columns + start
                    for oz in 0..<od {
                        let z = oz &* sd &+ kz &- g.padDepth
                        guard z >= 0 && z < depth else { source += oh &* ow; continue }
                        for oy in 0..<oh {
                            let y = oy &* sh &+ ky &- g.padHeight
                            if y >= 0 && y < height {
                                let start: Int = (z &* height &+ y) &* width &+ low &* sw &+ xOffset
                                let target = image + start
                                addStrip(from: source, low: low, high: high, into: target, stride: sw)
                            }
                            source += ow
                        }
                    }
                }
            }
        }
    }

    /// out[0..<low] = 0, out[low + t] = source[t·stride] for t < high − low, out[high..<width] = 0.
    @inline(__always)
    private static func copyStrip(from source: UnsafePointer<Float>, stride: Int,
                                  into out: UnsafeMutablePointer<Float>, low: Int, high: Int, width: Int) {
        var o = 0
        while o < low { out[o] = 0; o &+= 1 }
        let inside = out + low, count = high &- low
        var t = 0
        if stride == 1 {
            while t < count { inside[t] = source[t]; t &+= 1 }
        } else {
            while t < count { inside[t] = source[t &* stride]; t &+= 1 }
        }
        o = high
        while o < width { out[o] = 0; o &+= 1 }
    }

    /// target[t·stride] += source[low + t] for t < high − low.
    @inline(__always)
    private static func addStrip(from source: UnsafePointer<Float>, low: Int, high: Int,
                                 into target: UnsafeMutablePointer<Float>, stride: Int) {
        let inside = source + low, count = high &- low
        var t = 0
        if stride == 1 {
            while t < count { target[t] += inside[t]; t &+= 1 }
        } else {
            while t < count { target[t &* stride] += inside[t]; t &+= 1 }
        }
    }
}
