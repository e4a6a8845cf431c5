import Engine
import Testing

/// The engine's memory rule for backward: a rule keeps what it needs until backward has run,
/// then nothing. For every differentiable op, once backward is done and the caller lets go of
/// the variables, no input's or output's storage is still alive (a rule that captured a variable
/// or a tensor it should not, or a cycle through the graph, would keep one).
@Suite struct GraphReleaseTests {
    struct OpCase: CustomTestStringConvertible, Sendable {
        let name: String
        let shapes: [[Int]]
        let apply: @Sendable ([Variable]) -> Variable
        var testDescription: String { name }
    }

    static let cases: [OpCase] = [
        OpCase(name: "add", shapes: [[2, 3], [2, 3]]) { $0[0] + $0[1] },
        OpCase(name: "add broadcast", shapes: [[2, 3, 4], [3, 1]]) { $0[0] + $0[1] },
        OpCase(name: "subtract", shapes: [[2, 3], [2, 3]]) { $0[0] - $0[1] },
        OpCase(name: "multiply", shapes: [[2, 3], [2, 3]]) { $0[0] * $0[1] },
        OpCase(name: "affine", shapes: [[2, 3]]) { 2 * $0[0] + 1 },
        OpCase(name: "sigmoid", shapes: [[2, 3]]) { sigmoid($0[0]) },
        OpCase(name: "tanh", shapes: [[2, 3]]) { tanh($0[0]) },
        OpCase(name: "leakyReLU", shapes: [[2, 3]]) { leakyReLU($0[0], negativeSlope: 0.2) },
        OpCase(name: "concat", shapes: [[2, 3], [2, 2]]) { concat([$0[0], $0[1]], axis: 1) },
        OpCase(name: "stack", shapes: [[2, 3], [2, 3]]) { stack([$0[0], $0[1]], axis: 0) },
        OpCase(name: "split", shapes: [[2, 5]]) { split($0[0], sizes: [2, 3], axis: 1)[1] },
        OpCase(name: "chunk", shapes: [[2, 4]]) { chunk($0[0], 2, axis: 1)[0] },
        OpCase(name: "slice", shapes: [[2, 4]]) { slice($0[0], range: 1..<3, axis: 1) },
        OpCase(name: "select", shapes: [[3, 4]]) { select($0[0], index: 1, axis: 0) },
        OpCase(name: "reshape", shapes: [[2, 6]]) { reshape($0[0], [3, 4]) },
        OpCase(name: "permute", shapes: [[2, 3, 4]]) { permute($0[0], [2, 0, 1]) },
        OpCase(name: "sum", shapes: [[2, 3]]) { sum($0[0]) },
        OpCase(name: "mean", shapes: [[2, 3]]) { mean($0[0]) },
        OpCase(name: "softmax", shapes: [[2, 5]]) { softmax($0[0]) },
        OpCase(name: "matmul", shapes: [[2, 3], [3, 4]]) { matmul($0[0], $0[1]) },
        OpCase(name: "conv2d", shapes: [[1, 2, 5, 5], [3, 2, 3, 3], [3]]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1)
        },
        OpCase(name: "conv3d", shapes: [[1, 2, 3, 4, 4], [2, 2, 2, 3, 3], [2]]) {
            conv3d($0[0], weight: $0[1], bias: $0[2], stride: (1, 1, 1), padding: (0, 1, 1))
        },
        OpCase(name: "convTranspose2d", shapes: [[1, 2, 3, 3], [2, 3, 4, 4], [3]]) {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1)
        },
        OpCase(name: "layerNorm", shapes: [[2, 3, 4], [3, 4], [3, 4]]) {
            layerNorm($0[0], weight: $0[1], bias: $0[2], normalizedRank: 2)
        },
        OpCase(name: "mseLoss", shapes: [[2, 3], [2, 3]]) { mseLoss($0[0], $0[1]) },
        OpCase(name: "l1Loss", shapes: [[2, 3], [2, 3]]) { l1Loss($0[0], $0[1]) },
        OpCase(name: "l1PlusL2Loss", shapes: [[2, 3], [2, 3]]) { l1PlusL2Loss($0[0], $0[1]) },
        OpCase(name: "patchify", shapes: [[1, 2, 4, 4, 1]]) { patchify($0[0], patchSize: 2) },
        OpCase(name: "unpatchify", shapes: [[1, 2, 2, 2, 4]]) { unpatchify($0[0], patchSize: 2) },
        OpCase(name: "flowWarp", shapes: [[1, 2, 4, 4], [1, 4, 4, 4]]) { flowWarp($0[0], flows: $0[1]) },
        OpCase(name: "deformableSample", shapes: [[1, 2, 4, 4], [1, 18, 4, 4], [1, 9, 4, 4]]) {
            deformableSample($0[0], offsets: $0[1], mask: sigmoid($0[2]))
        },
    ]

    @Test(arguments: cases)
    func nothingOutlivesBackward(_ op: OpCase) {
        var inputs: [Weak] = [], output = Weak(nil)
        do {
            let variables = op.shapes.enumerated().map { index, shape in
                let count = shape.reduce(1, *)
                let values = (0..<count).map { Float(((($0 * 7 + index * 3) % 11) - 5)) / 10 }
                return Variable(Tensor(shape: shape, scalars: values), requiresGrad: true)
            }
            inputs = variables.map { Weak($0.value.storage) }
            let result = op.apply(variables)
            output = Weak(result.value.storage)
            sum(result * result).backward()
            for variable in variables { #expect(variable.grad != nil, "\(op.name): no gradient reached an input") }
        }
        for (index, input) in inputs.enumerated() {
            #expect(input.storage == nil, "\(op.name): input \(index) is still alive after backward")
        }
        #expect(output.storage == nil, "\(op.name): the output is still alive after backward")
    }

    final class Weak {
        weak var storage: TensorStorage?
        init(_ storage: TensorStorage?) { self.storage = storage }
    }
}
