import Foundation

/// A tensor in the dynamic autodiff graph: its value, and the `GradientNode` that records how
/// the gradient flows through it.
///
/// The graph links nodes, not variables, and a node holds no value: a value lives as long as a
/// variable (or a saved tensor of some backward rule) holds it, so an intermediate that no backward
/// rule needs is freed as soon as the forward code drops it, as in PyTorch. Backward rules are
/// therefore handed the nodes of their inputs when they run, and capture only the tensors they
/// need, never the variables themselves.
///
/// Graphs are recorded as ops run and used once: `backward()` frees the graph behind the loss,
/// like PyTorch without `retain_graph`. Leaves created with `requiresGrad: true` (parameters)
/// keep their accumulated `grad` until `zeroGrad()`.
public final class Variable {
    /// The value. Only leaves may have it replaced (the optimiser does that in place).
    public internal(set) var value: Tensor
    public let node: GradientNode

    public var grad: Tensor? { node.grad }
    public var requiresGrad: Bool { node.requiresGrad }
    /// A human-readable name (parameters), used in error messages and checkpoints.
    public var name: String {
        get { node.name }
        set { node.name = newValue }
    }
    public var shape: [Int] { value.shape }
    public var isLeaf: Bool { node.isLeaf }

    /// A leaf: a constant (`requiresGrad: false`) or a trainable tensor.
    public init(_ value: Tensor, requiresGrad: Bool = false, name: String = "") {
        self.value = value
        node = GradientNode(shape: value.shape, requiresGrad: requiresGrad, name: name, inputs: [], rule: nil)
    }

    private init(result value: Tensor, node: GradientNode) {
        self.value = value
        self.node = node
    }

    /// Records an op's result. `rule` receives the gradient of the result and the nodes of
    /// `inputs` (in that order) and must pass the gradient on to the nodes that need it (check
    /// `requiresGrad`) with `accumulateGrad`. It captures only the tensors it saved: the nodes
    /// come as arguments, so there is no variable to capture (one captured would keep its value
    /// alive for as long as the graph). Nothing is recorded in inference mode or when no input
    /// needs a gradient.
    public static func record(_ value: Tensor, inputs: [Variable],
                              rule: @escaping BackwardRule) -> Variable {
        guard records(inputs: inputs) else { return Variable(value) }
        return Variable(result: value, node: GradientNode(shape: value.shape, requiresGrad: true, name: "",
                                                         inputs: inputs.map(\.node), rule: rule))
    }

    /// Whether `record` with these inputs records a node: ops that save extra tensors for their
    /// backward rule compute those only then.
    public static func records(inputs: [Variable]) -> Bool {
        GradMode.isEnabled && inputs.contains(where: \.requiresGrad)
    }

    /// Adds `gradient` to this variable's gradient (copying it, since the caller may share it).
    public func accumulateGrad(_ gradient: Tensor) { node.accumulateGrad(gradient) }

    /// Adds a gradient that nobody else holds: taken over without a copy when it is the first.
    public func accumulateGrad(fresh gradient: Tensor) { node.accumulateGrad(fresh: gradient) }

    public func zeroGrad() { node.grad = nil }

    /// Whether the value's storage is this variable's alone (see `Tensor.hasUniqueStorage`).
    public func valueHasUniqueStorage() -> Bool { value.hasUniqueStorage() }

    /// Updates a leaf's value in place (the optimiser's step). Storage shared with another
    /// tensor is copied first (`Tensor.withUnsafeMutableBufferPointer`), so that tensor keeps
    /// its values.
    public func updateValueInPlace<Result>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> Result) rethrows -> Result {
        precondition(isLeaf, "updateValueInPlace: \(name) is not a leaf")
        return try value.withUnsafeMutableBufferPointer(body)
    }

    /// Replaces a leaf's value (loading parameters). The shape must stay the same.
    public func assign(_ newValue: Tensor) {
        precondition(isLeaf, "assign: \(name) is not a leaf")
        Shape.check("assign(\(name))", newValue.shape, equals: value.shape)
        value = newValue
    }

    /// Back-propagates from this scalar (one-element) result: every leaf that requires a
    /// gradient and contributed to it gets `d self / d leaf` added to its `grad`.
    public func backward() {
        precondition(value.count == 1, "backward: needs a scalar loss, got shape \(shape)")
        backward(seed: Tensor(repeating: 1, shape: shape))
    }

    /// Back-propagates a given output gradient (a vector-Jacobian product).
    public func backward(seed: Tensor) {
        Shape.check("backward", seed.shape, equals: shape, "seed")
        node.backward(seed: seed)
    }
}

/// The graph side of a `Variable`: its gradient, the nodes of the op's inputs and the rule that
/// passes a gradient on to them. Holds no value (see `Variable`).
/// A backward rule: the gradient of an op's result and the nodes of its inputs, in order.
public typealias BackwardRule = (_ gradient: Tensor, _ inputs: [GradientNode]) -> Void

public final class GradientNode {
    public let shape: [Int]
    public let requiresGrad: Bool
    public var name: String
    public internal(set) var grad: Tensor?

    /// Creation order: a valid topological order of the graph.
    let order: Int
    var inputs: [GradientNode]
    var backwardRule: BackwardRule?

    public var isLeaf: Bool { backwardRule == nil }

    init(shape: [Int], requiresGrad: Bool, name: String, inputs: [GradientNode], rule: BackwardRule?) {
        self.shape = shape
        self.requiresGrad = requiresGrad
        self.name = name
        order = GraphClock.next()
        self.inputs = inputs
        backwardRule = rule
    }

    /// Adds `gradient` to this node's gradient (copying it when it becomes the gradient, since
    /// the caller may share it).
    public func accumulateGrad(_ gradient: Tensor) {
        guard requiresGrad else { return }
        accumulateGrad(fresh: grad == nil ? gradient.copy() : gradient)
    }

    /// Adds a gradient that nobody else holds: taken over without a copy when it is the first.
    public func accumulateGrad(fresh gradient: Tensor) {
        guard requiresGrad else { return }
        Shape.check("accumulateGrad(\(name))", gradient.shape, equals: shape, "gradient")
        assert(grad == nil || grad!.hasUniqueStorage(),
               "accumulateGrad(\(name)): the gradient's storage is shared with another tensor; adding in place would change it too")
        if let existing = grad {
            Elementwise.addInPlace(existing, gradient)
        } else {
            grad = gradient
        }
    }

    /// Changes this node's gradient in place (a reduction over processes). Storage shared with
    /// another tensor is copied first, so that tensor keeps its values.
    public func updateGradInPlace<Result>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> Result) rethrows -> Result {
        precondition(grad != nil, "updateGradInPlace(\(name)): the node has no gradient")
        return try grad!.withUnsafeMutableBufferPointer(body)
    }

    /// Runs `body` with the gradient buffer a fused backward rule adds slabs straight into: the
    /// node's own (a node's `grad` is always held by it alone: `accumulateGrad` copies shared
    /// tensors), or a new zeroed one it keeps. nil when the node needs no gradient.
    public func withAccumulationBuffer<Result>(
        _ body: (UnsafeMutableBufferPointer<Float>?) throws -> Result) rethrows -> Result {
        guard requiresGrad else { return try body(nil) }
        if grad == nil { grad = Tensor(zeros: shape) }
        let buffer = grad!
        return try withExtendedLifetime(buffer) {
            try body(UnsafeMutableBufferPointer(start: buffer.mutablePointer, count: buffer.count))
        }
    }

    func backward(seed: Tensor) {
        guard requiresGrad else { return }
        let nodes = graphNodes()
        accumulateGrad(seed)
        for node in nodes {
            guard let rule = node.backwardRule else { continue }
            if let gradient = node.grad { rule(gradient, node.inputs) }
            // The graph is used once: free what it holds as soon as it has passed its gradient.
            node.grad = nil
            node.backwardRule = nil
            node.inputs = []
        }
    }

    /// All interior nodes behind this one, latest first (reverse creation order).
    private func graphNodes() -> [GradientNode] {
        var seen = Set<ObjectIdentifier>()
        var stack: [GradientNode] = [self]
        var nodes: [GradientNode] = []
        while let node = stack.popLast() {
            guard node.backwardRule != nil, seen.insert(ObjectIdentifier(node)).inserted else { continue }
            nodes.append(node)
            stack.append(contentsOf: node.inputs)
        }
        return nodes.sorted { $0.order > $1.order }
    }
}

/// Issues creation numbers; a node is always created after its inputs.
enum GraphClock {
    private static let counter = Counter()
    static func next() -> Int { counter.increment() }

    /// Sendable by hand: the lock guards `value`.
    private final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func increment() -> Int {
            lock.lock(); defer { lock.unlock() }
            value += 1
            return value
        }
    }
}

/// Whether ops record the graph. Inference runs inside `withoutGradients { … }`.
public enum GradMode {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording any graph (inference mode).
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}
