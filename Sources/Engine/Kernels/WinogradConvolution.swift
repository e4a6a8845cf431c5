import CKernels

/// Stride-1 2-D convolutions by Winograd's minimal filtering (`WinogradTransforms`), in the three
/// passes a convolution needs. Per batch part and block of images:
///
///     V[p] = Bᵀ d B          input tiles, [n², channels, tiles]
///     Ŷ[p] = U[p] · V[p]      one GEMM per tile position p: [rows, channels] · [channels, tiles]
///     Y    = Aᵀ Ŷ A           output blocks, scattered into the planes
///
/// With 5×5 kernels and 2×2 output blocks the GEMMs do 36 multiply-adds per 4 outputs and input
/// channel where im2col + GEMM does 100: the convolution FLOPs drop 2.8×, for transforms that
/// cost a sixth (64 channels) to a third (32) of the GEMM time. Transforms and GEMM are C
/// kernels (`CKernels`, AVX2 + FMA where available). The results equal the direct sum up to
/// float rounding (tests compare with the direct loops, the im2col path and the fixtures).
package enum WinogradConvolution {
    /// The output block m for a kernel size, or nil where im2col is used. F(2×2, 5×5) rounds
    /// about 5× more than the direct sum (simulated: 1.6e-6 of the largest output at 64
    /// channels); F(4×4, 5×5) would save another 2.25× of GEMM FLOPs but rounds 4× worse again
    /// and leaves half of each 8-lane vector empty on the model's 16×16 planes.
    static func outputTile(kernelSize: Int) -> Int? {
        switch kernelSize {
        case 3: return 2
        case 5: return 2
        default: return nil
        }
    }

    /// Whether the engine picks Winograd for `g` with `outputChannels` by itself: where it
    /// applies and both channel counts are at least 16. With fewer, the GEMMs (K = channels)
    /// are too thin for the transforms to pay. (The first layer's 16 → 7N conv_x gains since
    /// the tile matrices stopped sharing L1 sets: single-threaded at 32 channels 4.4 → 2.8 ms
    /// forward, 4.3 → 3.6 ms weight gradient.)
    static func isPreferred(_ g: ConvGeometry, outputChannels: Int) -> Bool {
        supports(g) && min(g.channels, outputChannels) >= 16
    }

    /// A 2-D, stride-1, square-kernel convolution whose padding is at most r − 1 on both axes
    /// (so the input gradient is again a correlation with non-negative padding).
    package static func supports(_ g: ConvGeometry) -> Bool {
        g.inputDepth == 1 && g.kernelDepth == 1 && g.padDepth == 0
            && g.strideHeight == 1 && g.strideWidth == 1 && g.strideDepth == 1
            && g.kernelHeight == g.kernelWidth && outputTile(kernelSize: g.kernelHeight) != nil
            && g.padHeight == g.padWidth && g.padHeight < g.kernelHeight
    }

    private static func transforms(_ g: ConvGeometry) -> WinogradTransforms {
        WinogradTransforms.shared(outputTile: outputTile(kernelSize: g.kernelHeight)!, kernelSize: g.kernelHeight)
    }

    // MARK: The three passes

    /// x [B, Cin, H, W], weight [Cout, Cin, r, r], bias [Cout] → [B, Cout, oh, ow] (or the same
    /// with a depth of 1, as a 3-D convolution of one frame).
    static func forward(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: ConvGeometry) -> Tensor {
        let w = transforms(g), rows = weight.shape[0]
        let grid = TileGrid(w, height: g.inputHeight, width: g.inputWidth, padding: g.padHeight)
        let kernels = transformKernels(weight, count: rows * g.channels, w.kernelTransform, w)
        let out = Tensor(uninitializedShape: g.outputShape(channels: rows, rank: x.rank))
        correlate(x.pointer, channels: g.channels, batch: g.batch, grid, kernels: kernels.pointer, rows: rows,
                  transposedKernels: false, bias: bias?.pointer, into: out.mutablePointer)
        return out
    }

    /// The input gradient: the output gradient correlated with the kernels rotated by 180° and
    /// their channel roles swapped, padded by r − 1 − p.
    static func inputGradient(_ gradOutput: Tensor, weight: Tensor, geometry g: ConvGeometry) -> Tensor {
        let w = transforms(g), rows = weight.shape[0]
        let grid = TileGrid(w, height: g.outputHeight, width: g.outputWidth, padding: g.kernelHeight - 1 - g.padHeight)
        precondition(grid.outputHeight == g.inputHeight && grid.outputWidth == g.inputWidth,
                     "Winograd input gradient: geometry \(g) is not invertible at stride 1")
        let kernels = transformKernels(weight, count: rows * g.channels, w.rotatedKernelTransform, w)
        let out = Tensor(uninitializedShape: g.imageShape(rank: gradOutput.rank))
        correlate(gradOutput.pointer, channels: rows, batch: g.batch, grid, kernels: kernels.pointer,
                  rows: g.channels, transposedKernels: true, bias: nil, into: out.mutablePointer)
        return out
    }

    /// The weight gradient [Cout, Cin, r, r] = Σ over the batch and tiles of Ŷ-gradient · Vᵀ,
    /// taken back through the kernel transform.
    static func weightGradient(_ gradOutput: Tensor, x: Tensor, geometry g: ConvGeometry) -> Tensor {
        let w = transforms(g), rows = gradOutput.shape[1], channels = g.channels
        let grid = TileGrid(w, height: g.inputHeight, width: g.inputWidth, padding: g.padHeight)
        let products = w.tile * w.tile
        let shape = g.weightShape(outputChannels: rows, rank: gradOutput.rank)
        guard g.batch > 0 else { return Tensor(zeros: shape) }
        let parts = parts(batch: g.batch, work: rows * channels * g.kernelVolume * g.outputPlane)
        let sumStride = Workspace.matrixStride(rows * channels)   // [n², Cout, Cin], padded per p
        var partials = [Tensor?](repeating: nil, count: parts.count)
        partials.withUnsafeMutableBufferPointer { slots in
            // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
            nonisolated(unsafe) let slots = slots
            Parallel.forEach(parts.count) { index in
                let sum = Tensor(zeros: [products * sumStride])
                let workspace = Workspace(grid, channels: channels, rows: rows)
                defer { workspace.release() }
                for block in grid.blocks(of: parts[index]) {
                    let tiles = block.count * grid.tilesPerImage
                    workspace.transformInputs(x.pointer, block: block, packed: false)
                    for chunk in workspace.rowChunks(rows) {
                        workspace.transformOutputGradients(gradOutput.pointer, rows: rows, chunk: chunk, block: block)
                        for p in 0..<products {
                            BLAS.gemm(transposeB: true, m: chunk.count, n: channels, k: tiles,
                                      a: workspace.products(at: p, rows: chunk.count, tiles: tiles), lda: tiles,
                                      b: workspace.inputs(at: p, tiles: tiles), ldb: tiles, beta: 1,
                                      c: sum.mutablePointer + p * sumStride + chunk.lowerBound * channels, ldc: channels)
                        }
                    }
                }
                slots[index] = sum
            }
        }
        let sums = partials.map { $0! }
        for other in sums.dropFirst() { Elementwise.addInPlace(sums[0], other) }
        // [n², Cout·Cin] → [r², Cout·Cin] → [Cout·Cin, r²].
        let pairs = rows * channels, area = g.kernelVolume
        let planar = Tensor(uninitializedShape: [area, pairs])
        apply(w.kernelAdjoint, sums[0].pointer, inputStride: sumStride, into: planar.mutablePointer, count: pairs)
        let gradient = Tensor(uninitializedShape: shape)
        mrnn_transpose(planar.pointer, area, pairs, gradient.mutablePointer)
        return gradient
    }

    // MARK: Correlation

    /// out [B, rows, oh, ow] = image [B, channels, h, w] correlated with the transformed kernels
    /// [n², rows, channels] (or [n², channels, rows] when `transposedKernels`; tile position p's
    /// matrix at p · `Workspace.matrixStride(rows · channels)`), plus bias.
    private static func correlate(_ image: UnsafePointer<Float>, channels: Int, batch: Int, _ grid: TileGrid,
                                  kernels: UnsafePointer<Float>, rows: Int, transposedKernels: Bool,
                                  bias: UnsafePointer<Float>?, into out: UnsafeMutablePointer<Float>) {
        let products = grid.transforms.tile * grid.transforms.tile
        let r = grid.transforms.kernelSize
        let parts = parts(batch: batch, work: rows * channels * r * r * grid.outputPlane)
        // Kernel element (row, channel) of tile position p, read in place: no packing.
        let (rowStride, channelStride) = transposedKernels ? (1, rows) : (channels, 1)
        let kernelStride = Workspace.matrixStride(rows * channels)
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (bias, image, kernels, out) = (bias, image, kernels, out)
        Parallel.forEach(parts.count) { index in
            let workspace = Workspace(grid, channels: channels, rows: rows)
            defer { workspace.release() }
            for block in grid.blocks(of: parts[index]) {
                let tiles = block.count * grid.tilesPerImage
                workspace.transformInputs(image, block: block, packed: true)
                for chunk in workspace.rowChunks(rows) {
                    for p in 0..<products {
                        mrnn_gemm_packed(chunk.count, tiles, channels,
                                         kernels + p * kernelStride + chunk.lowerBound * rowStride,
                                         rowStride, channelStride, workspace.inputs(at: p, tiles: tiles),
                                         workspace.products(at: p, rows: chunk.count, tiles: tiles), tiles)
                    }
                    workspace.scatterOutputs(into: out, rows: rows, chunk: chunk, block: block, bias: bias)
                }
            }
        }
    }

    /// Batch parts, one per core when the product is large enough to share.
    private static func parts(batch: Int, work: Int) -> [Range<Int>] {
        let count = Parallel.isInsideTask || work * batch < BLAS.splitThreshold ? 1 : min(Parallel.coreCount, batch)
        return (0..<count).map { (batch * $0 / count)..<(batch * ($0 + 1) / count) }
    }

    // MARK: Kernels

    /// weight [pairs, r, r] → [n², pairs] through `transform` (G or G·J), over the cores; tile
    /// position p's row at p · `Workspace.matrixStride(pairs)`.
    private static func transformKernels(_ weight: Tensor, count pairs: Int, _ transform: SandwichTransform,
                                         _ w: WinogradTransforms) -> Tensor {
        let area = w.kernelSize * w.kernelSize, stride = Workspace.matrixStride(pairs)
        let out = Tensor(uninitializedShape: [w.tile * w.tile * stride])
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let source = weight.pointer, target = out.mutablePointer
        Parallel.forRanges(pairs, minimumPerTask: 4096) { range in
            transform.apply(matrices: source + range.lowerBound * area, into: target + range.lowerBound,
                            outputStride: stride, count: range.count)
        }
        return out
    }

    /// `transform` on `count` matrices stored planar ([p², inputStride] → [q², count]), over the cores.
    private static func apply(_ transform: SandwichTransform, _ input: UnsafePointer<Float>, inputStride: Int,
                              into output: UnsafeMutablePointer<Float>, count: Int) {
        // Shared with the parallel loop's tasks: each writes only its own range (Parallel's contract).
        nonisolated(unsafe) let (input, output) = (input, output)
        Parallel.forRanges(count, minimumPerTask: 4096) { range in
            transform.apply(input + range.lowerBound, inputStride: inputStride, into: output + range.lowerBound,
                            outputStride: count, count: range.count)
        }
    }

}

/// How a plane is cut into tiles: m×m output blocks, each read from an n×n input tile whose
/// corner sits m·(tile row, tile column) − padding in the image. Tiles past the edge read zeros
/// and write nothing.
struct TileGrid {
    let transforms: WinogradTransforms
    let inputHeight: Int, inputWidth: Int, padding: Int
    let outputHeight: Int, outputWidth: Int
    let tileRows: Int, tileColumns: Int

    init(_ transforms: WinogradTransforms, height: Int, width: Int, padding: Int) {
        self.transforms = transforms
        (inputHeight, inputWidth, self.padding) = (height, width, padding)
        outputHeight = height + 2 * padding - transforms.kernelSize + 1
        outputWidth = width + 2 * padding - transforms.kernelSize + 1
        tileRows = (outputHeight + transforms.outputTile - 1) / transforms.outputTile
        tileColumns = (outputWidth + transforms.outputTile - 1) / transforms.outputTile
    }

    /// Tiles per tile row as laid out in the buffers: tile columns rounded up to whole vectors
    /// of 8 (the extra tiles compute on zeros and are never written out).
    var laneColumns: Int { (tileColumns + 7) / 8 * 8 }
    var tilesPerImage: Int { tileRows * laneColumns }
    var inputPlane: Int { inputHeight * inputWidth }
    var outputPlane: Int { outputHeight * outputWidth }
    /// The zero-padded plane every input tile lies in.
    var paddedHeight: Int { tileRows * transforms.outputTile + transforms.kernelSize - 1 }
    var paddedWidth: Int { laneColumns * transforms.outputTile + transforms.kernelSize - 1 }

    /// Images per block: enough tiles for GEMMs of a good width, few enough that the block's
    /// transformed tiles stay in cache.
    static let tilesPerBlock = 128

    func blocks(of items: Range<Int>) -> [Range<Int>] {
        let per = max(1, Self.tilesPerBlock / max(tilesPerImage, 1))
        return stride(from: items.lowerBound, to: items.upperBound, by: per).map { $0..<min(items.upperBound, $0 + per) }
    }
}

/// One core's buffers and the per-plane steps of `WinogradConvolution`: transformed input tiles
/// [n², channels, tiles] and tile products [n², chunk rows, tiles] of one block of images.
///
/// Planes are stored phase-split for the transforms: row y of a plane holds its columns
/// x ≡ s (mod m) one after the other for s = 0…m−1, so element (i, j) of the tiles of one tile
/// row is a contiguous run (one per tile column) that the C kernel reads as a vector.
private struct Workspace {
    let grid: TileGrid
    let channels: Int
    private let inputs: UnsafeMutablePointer<Float>
    private let products: UnsafeMutablePointer<Float>
    /// Rows of the products per pass, so that they stay in cache.
    let chunkRows: Int
    /// The zero-padded input plane, phase-split: `inputRowStride` per row, `inputPhase` per phase.
    private let inputPlane: UnsafeMutablePointer<Float>
    private let inputPhase: Int, inputRowStride: Int
    /// One output-side plane as its m×m blocks: element (a, b) of every block, [m², tiles].
    private let outputBlocks: UnsafeMutablePointer<Float>
    /// Offsets of tile element (i, j) in the input plane from a tile row's start, of block
    /// element (a, b) in `outputBlocks`; `productOffsets` is set per block (its stride depends on
    /// the block).
    private let tileOffsets: UnsafeMutablePointer<Int>
    private let blockOffsets: UnsafeMutablePointer<Int>
    private let productOffsets: UnsafeMutablePointer<Int>
    /// Per run of 8 tiles of an input plane (tile row, column group): where it starts in the
    /// plane, and in `inputs` the offset of its first channel and the stride between channels.
    private let runCount: Int
    private let runInputs: UnsafeMutablePointer<Int>
    private let runTargets: UnsafeMutablePointer<Int>
    private let runChannelStrides: UnsafeMutablePointer<Int>
    private let runOutputs: UnsafeMutablePointer<Int>
    private let offsetTables: UnsafeMutablePointer<Int>

    init(_ grid: TileGrid, channels: Int, rows: Int) {
        (self.grid, self.channels) = (grid, channels)
        let w = grid.transforms, n = w.tile, m = w.outputTile, products = n * n
        let blockTiles = max(1, TileGrid.tilesPerBlock / max(grid.tilesPerImage, 1)) * grid.tilesPerImage
        chunkRows = max(16, min(rows, (1 << 19) / max(products * blockTiles, 1)))
        inputPhase = (grid.paddedWidth + m - 1) / m
        inputRowStride = m * inputPhase
        // One piece of this thread's scratch, cut into the buffers.
        let sizes = [products * Self.matrixStride(channels * blockTiles), products * Self.matrixStride(min(rows, chunkRows) * blockTiles),
                     grid.paddedHeight * inputRowStride, m * m * grid.tilesPerImage]
        var next = ThreadScratch.floats(sizes.reduce(0) { $0 + ($1 + 15) / 16 * 16 })
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { next += (count + 15) / 16 * 16 }
            return next
        }
        inputs = take(sizes[0])
        self.products = take(sizes[1])
        inputPlane = take(sizes[2])
        inputPlane.update(repeating: 0, count: sizes[2])
        outputBlocks = take(sizes[3])
        outputBlocks.update(repeating: 0, count: sizes[3])
        // The offset tables, cut from one allocation.
        runCount = grid.tileRows * grid.laneColumns / 8
        offsetTables = .allocate(capacity: 2 * products + m * m + 4 * runCount)
        var nextTable = offsetTables
        func table(_ count: Int) -> UnsafeMutablePointer<Int> {
            defer { nextTable += count }
            return nextTable
        }
        tileOffsets = table(products)
        for i in 0..<n { for j in 0..<n { tileOffsets[i * n + j] = i * inputRowStride + (j % m) * inputPhase + j / m } }
        blockOffsets = table(m * m)
        for k in 0..<(m * m) { blockOffsets[k] = k * grid.tilesPerImage }
        productOffsets = table(products)
        runInputs = table(runCount)
        for run in 0..<runCount { runInputs[run] = run / (grid.laneColumns / 8) * m * inputRowStride + run % (grid.laneColumns / 8) * 8 }
        runTargets = table(runCount)
        runChannelStrides = table(runCount)
        runOutputs = table(runCount)
    }

    func release() { offsetTables.deallocate() }

    func rowChunks(_ rows: Int) -> [Range<Int>] {
        stride(from: 0, to: rows, by: chunkRows).map { $0..<min(rows, $0 + chunkRows) }
    }

    /// Floats from tile position p's matrix of `floats` to p + 1's in `inputs` and `products`:
    /// one cache line more than a multiple of 4 KiB. With the plain size (often a multiple of
    /// 4 KiB) the transforms' n² vectors per tile all fell into one L1 set and evicted each
    /// other: the input transform ran 3× slower.
    static func matrixStride(_ floats: Int) -> Int { (floats + 1023) / 1024 * 1024 + 16 }

    /// Tile position p's [channels, tiles] matrix of transformed inputs.
    func inputs(at p: Int, tiles: Int) -> UnsafeMutablePointer<Float> { inputs + p &* Self.matrixStride(channels &* tiles) }

    /// Tile position p's [rows, tiles] matrix of products (a chunk of `rows` rows).
    func products(at p: Int, rows: Int, tiles: Int) -> UnsafeMutablePointer<Float> {
        products + p &* Self.matrixStride(rows &* tiles)
    }

    /// Tile position p's matrix is `stride` floats after p − 1's.
    private func setProductStride(_ stride: Int) {
        let products = grid.transforms.tile * grid.transforms.tile
        for p in 0..<products { productOffsets[p] = p &* stride }
    }

    /// inputs = Bᵀ d B for every tile d of the block's images [item, channel, h, w]: per tile
    /// position a [channels, tiles] matrix, plain or (`packed`) in the column panels of
    /// `mrnn_gemm_packed`.
    func transformInputs(_ image: UnsafePointer<Float>, block: Range<Int>, packed: Bool) {
        let w = grid.transforms, m = w.outputTile
        let perImage = grid.tilesPerImage, blockTiles = block.count * perImage
        setProductStride(Self.matrixStride(channels * blockTiles))
        for (slot, item) in block.enumerated() {
            // Where each run of 8 tiles goes: in a packed panel (whole in one, since panels are
            // 16 or 8 wide) or a plain [channels, tiles] row.
            for run in 0..<runCount {
                let first = slot &* perImage &+ run &* 8
                if packed {
                    let start = first / Int(MRNN_PANEL) &* Int(MRNN_PANEL)
                    runChannelStrides[run] = min(Int(MRNN_PANEL), blockTiles &- start)
                    runTargets[run] = start &* channels &+ first &- start
                } else {
                    (runChannelStrides[run], runTargets[run]) = (blockTiles, first)
                }
            }
            for channel in 0..<channels {
                mrnn_phase_split(image + (item &* channels &+ channel) &* grid.inputPlane, grid.inputHeight,
                                 grid.inputWidth, m, grid.padding, inputPlane, inputPhase, inputRowStride)
                for run in 0..<runCount { runOutputs[run] = runTargets[run] &+ channel &* runChannelStrides[run] }
                w.inputTransform.apply(inputPlane, inputOffsets: tileOffsets, inputStarts: runInputs, into: inputs,
                                       outputOffsets: productOffsets, outputStarts: runOutputs, runs: runCount, count: 8)
            }
        }
    }

    /// Writes Aᵀ Ŷ A of the products of `chunk`'s rows into the planes [item, row, oh, ow] (+ bias).
    func scatterOutputs(into out: UnsafeMutablePointer<Float>, rows: Int, chunk: Range<Int>, block: Range<Int>,
                        bias: UnsafePointer<Float>?) {
        let w = grid.transforms, m = w.outputTile
        let perImage = grid.tilesPerImage, blockTiles = block.count * perImage
        setProductStride(Self.matrixStride(chunk.count * blockTiles))
        for (slot, item) in block.enumerated() {
            for row in chunk {
                w.outputTransform.apply(products + ((row &- chunk.lowerBound) &* blockTiles &+ slot &* perImage),
                                        inputOffsets: productOffsets, into: outputBlocks, outputOffsets: blockOffsets,
                                        count: perImage)
                // Pixel (tile row·m + a, tile column·m + b) is element (a, b) of its tile; partial tiles crop.
                mrnn_blocks_to_plane(outputBlocks, perImage, grid.laneColumns, m, grid.outputHeight, grid.outputWidth,
                                     bias?[row] ?? 0, out + (item &* rows &+ row) &* grid.outputPlane)
            }
        }
    }

    /// products = A e Aᵀ for every m×m block e of the output gradient [item, row, oh, ow] of
    /// `chunk`'s rows (the adjoint of `scatterOutputs`).
    func transformOutputGradients(_ gradient: UnsafePointer<Float>, rows: Int, chunk: Range<Int>, block: Range<Int>) {
        let w = grid.transforms, m = w.outputTile
        let perImage = grid.tilesPerImage, blockTiles = block.count * perImage
        setProductStride(Self.matrixStride(chunk.count * blockTiles))
        for (slot, item) in block.enumerated() {
            for row in chunk {
                // Into blocks; positions past the plane (partial tiles) stay zero.
                mrnn_plane_to_blocks(gradient + (item &* rows &+ row) &* grid.outputPlane, perImage, grid.laneColumns,
                                     m, grid.outputHeight, grid.outputWidth, outputBlocks)
                w.outputAdjoint.apply(outputBlocks, inputOffsets: blockOffsets,
                                      into: products + ((row &- chunk.lowerBound) &* blockTiles &+ slot &* perImage),
                                      outputOffsets: productOffsets, count: perImage)
            }
        }
    }
}
