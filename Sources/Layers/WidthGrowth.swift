import Engine

/// Parameters trained with narrower layers, made to fit the same model built wider (`train
/// --init-from MODEL --hidden 64,64,64,64` on a model of 40 channels per layer): every old weight
/// keeps its place inside its gate's block, a weight from a new channel into an old one is zero,
/// and every other new weight keeps the wider model's fresh initialisation. Nothing new then
/// reaches an old channel, so the grown model computes what the trained one did; the new
/// channels already compute something, so their outgoing weights get gradients and training
/// decides what they are worth (Net2Net's "wider" start, with zeros instead of copies).
public enum WidthGrowth {
    /// `tensors` (trained at `width` channels per layer) grown to `layer`'s width `newWidth`,
    /// placed by `layer.channelLayouts`. Parameters whose shape did not change are passed on.
    public static func grown(_ tensors: [String: Tensor], width: Int, toFit layer: any ChannelLayoutDescribing,
                             newWidth: Int) throws -> [String: Tensor] {
        let layouts = layer.channelLayouts
        var result = tensors
        for (name, parameter) in layer.namedParameters {
            guard let tensor = tensors[name], tensor.shape != parameter.shape else { continue }
            guard let layout = layouts[name] else {
                throw WidthGrowthError(parameter: name, problem: "its channels cannot grow (shape \(tensor.shape) → \(parameter.shape))")
            }
            result[name] = try grown(tensor, into: parameter.value, layout: layout, width: width, newWidth: newWidth,
                                     name: name)
        }
        return result
    }

    /// `trained` placed into a copy of `fresh` (the wider parameter's initial value).
    static func grown(_ trained: Tensor, into fresh: Tensor, layout: ChannelLayout, width: Int, newWidth: Int,
                      name: String) throws -> Tensor {
        let (old, new) = (trained.shape, fresh.shape)
        guard old.count == new.count, old.dropFirst(2) == new.dropFirst(2) else {
            throw WidthGrowthError(parameter: name, problem: "shape \(old) cannot grow to \(new): only its channels may differ")
        }
        // The trained index of each new row (axis 0) and column (axis 1; a bias has one column).
        let outputIsRow = old.count == 1 || !layout.transposed
        let (rowBlocks, columnBlocks) = outputIsRow ? (layout.output, layout.input) : (layout.input, layout.output)
        let rows = try sourceIndices(rowBlocks, width: width, newWidth: newWidth, sizes: (old[0], new[0]), name: name)
        let columns: [Int?] = old.count == 1
            ? [0] : try sourceIndices(columnBlocks, width: width, newWidth: newWidth, sizes: (old[1], new[1]), name: name)
        let oldColumns = old.count == 1 ? 1 : old[1]
        let inner = new.dropFirst(2).reduce(1, *)   // kernel positions
        var result = fresh.copy()
        result.withUnsafeMutableBufferPointer { values in
            for (a, row) in rows.enumerated() {
                for (b, column) in columns.enumerated() {
                    let target = values.baseAddress! + (a * columns.count + b) * inner
                    if let row, let column {
                        target.update(from: trained.pointer + (row * oldColumns + column) * inner, count: inner)
                    } else if (outputIsRow ? row : column) != nil {
                        // A new input into a trained output: zero, so the trained output is unchanged.
                        target.update(repeating: 0, count: inner)
                    }
                }
            }
        }
        return result
    }

    /// For each index of a channel axis made of `blocks`, at `newWidth`, its index at `width`
    /// (nil for the channels the growth adds).
    public static func sourceIndices(_ blocks: [ChannelBlock], width: Int, newWidth: Int,
                                     sizes: (old: Int, new: Int), name: String) throws -> [Int?] {
        let (oldTotal, newTotal) = (blocks.map { $0.size(width: width) }.reduce(0, +),
                                    blocks.map { $0.size(width: newWidth) }.reduce(0, +))
        guard oldTotal == sizes.old, newTotal == sizes.new else {
            throw WidthGrowthError(parameter: name, problem: "a channel axis of \(sizes.old) → \(sizes.new) is not \(oldTotal) → \(newTotal) as its layout says for widths \(width) → \(newWidth)")
        }
        var indices: [Int?] = []
        var oldOffset = 0
        for block in blocks {
            let (oldSize, newSize) = (block.size(width: width), block.size(width: newWidth))
            indices += (0..<newSize).map { $0 < oldSize ? oldOffset + $0 : nil }
            oldOffset += oldSize
        }
        return indices
    }
}

/// A run of channels along a parameter's output or input axis.
public enum ChannelBlock: Equatable, Sendable {
    /// The layer width N (one gate's slab, a hidden state).
    case width
    /// N / 4 (MotionRNN's encoded state).
    case quarterWidth
    /// A size that does not depend on the width (frame channels, motion offsets).
    case fixed(Int)

    func size(width: Int) -> Int {
        switch self {
        case .width: return width
        case .quarterWidth: return width / 4
        case .fixed(let size): return size
        }
    }
}

/// What a parameter's channel axes are made of, in order: a convolution's `weight [out, in, …]`
/// (`[in, out, …]` when transposed) and its `bias [out]`.
public struct ChannelLayout: Equatable, Sendable {
    public var output: [ChannelBlock]
    public var input: [ChannelBlock]
    public var transposed: Bool

    public init(output: [ChannelBlock], input: [ChannelBlock], transposed: Bool = false) {
        self.output = output
        self.input = input
        self.transposed = transposed
    }
}

extension Array where Element == ChannelBlock {
    /// `count` gate slabs of the width each.
    public static func gates(_ count: Int) -> [ChannelBlock] { Array(repeating: .width, count: count) }
}

/// A layer that says how each of its parameters' channels depend on the layer width, so that
/// `WidthGrowth` can grow a trained model.
public protocol ChannelLayoutDescribing: Layer {
    /// The layout of each parameter (by its name in `namedParameters`) whose channels depend on
    /// the width. A parameter that the layer norm normalises across channels has none: growing
    /// it would change what the old channels compute.
    var channelLayouts: [String: ChannelLayout] { get }
}

/// Every parameter of each module (a convolution: weight and bias) under its name, with its layout.
public func convolutionLayouts(_ modules: [(name: String, module: Layer, layout: ChannelLayout)]) -> [String: ChannelLayout] {
    Dictionary(uniqueKeysWithValues: modules.flatMap { entry in
        prefixed(entry.name, entry.module).map { ($0.name, entry.layout) }
    })
}

/// A sub-layer's layouts under `prefix` (as `prefixed` names its parameters).
public func prefixedLayouts(_ prefix: String, _ layouts: [String: ChannelLayout]) -> [String: ChannelLayout] {
    Dictionary(uniqueKeysWithValues: layouts.map { (prefix + "." + $0.key, $0.value) })
}

public struct WidthGrowthError: Error, CustomStringConvertible {
    public let parameter: String
    public let problem: String
    public var description: String { "cannot grow the layer width: '\(parameter)': \(problem)" }
}
