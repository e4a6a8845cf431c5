import Foundation

/// A node of the dynamic autodiff graph: a tensor value, its gradient once `backward()` has run,
/// and (for op results) the rule that passes the gradient on to the op's inputs.
///
/// Graphs are recorded as ops run and used once: `backward()` frees the graph behind the loss,
/// like PyTorch without `retain_graph`. Leaves created with `requiresGrad: true` (parameters)
/// keep their accumulated `grad` until `zeroGrad()`.
public final class Variable {
    /// The value. Only leaves may have it replaced (the optimiser does that in place).
    public internal(set) var value: Tensor
    public internal(set) var grad: Tensor?
    public let requiresGrad: Bool
    /// A human-readable name (parameters), used in error messages and checkpoints.
    public var name: String

    /// Creation order: a valid topological order of the graph.
    let order: Int
    var inputs: [Variable]
    var backwardRule: ((Tensor) -> Void)?

    public var shape: [Int] { value.shape }
    public var isLeaf: Bool { backwardRule == nil }

    /// A leaf: a constant (`requiresGrad: false`) or a trainable tensor.
    public init(_ value: Tensor, requiresGrad: Bool = false, name: String = "") {
        self.value = value
        self.requiresGrad = requiresGrad
        self.name = name
        order = GraphClock.next()
        inputs = []
        backwardRule = nil
    }

    private init(result value: Tensor, inputs: [Variable], rule: @escaping (Tensor) -> Void) {
        self.value = value
        requiresGrad = true
        name = ""
        order = GraphClock.next()
        self.inputs = inputs
        backwardRule = rule
    }

    /// Records an op's result. `rule` receives the gradient of the result and must pass it to
    /// the inputs that need it (check `input.requiresGrad`) with `accumulateGrad`. Nothing is
    /// recorded in inference mode or when no input needs a gradient.
    public static func record(_ value: Tensor, inputs: [Variable],
                              rule: @escaping (Tensor) -> Void) -> Variable {
        guard GradMode.isEnabled, inputs.contains(where: \.requiresGrad) else {
            return Variable(value)
        }
        return Variable(result: value, inputs: inputs, rule: rule)
    }

    /// Adds `gradient` to this node's gradient (copying it, since the caller may share it).
    public func accumulateGrad(_ gradient: Tensor) {
        guard requiresGrad else { return }
        Shape.check("accumulateGrad(\(name))", gradient.shape, equals: value.shape, "gradient")
        if let existing = grad {
            Elementwise.addInPlace(existing, gradient)
        } else {
            grad = gradient.copy()
        }
    }

    /// Adds a gradient that nobody else holds: taken over without a copy when it is the first.
    public func accumulateGrad(fresh gradient: Tensor) {
        guard requiresGrad else { return }
        Shape.check("accumulateGrad(\(name))", gradient.shape, equals: value.shape, "gradient")
        if let existing = grad {
            Elementwise.addInPlace(existing, gradient)
        } else {
            grad = gradient
        }
    }

    public func zeroGrad() { grad = nil }

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
        guard requiresGrad else { return }
        let nodes = graphNodes()
        accumulateGrad(seed)
        for node in nodes {
            guard let rule = node.backwardRule else { continue }
            if let gradient = node.grad { rule(gradient) }
            // The graph is used once: free what it holds as soon as it has passed its gradient.
            node.grad = nil
            node.backwardRule = nil
            node.inputs = []
        }
    }

    /// All interior nodes behind this one, latest first (reverse creation order).
    private func graphNodes() -> [Variable] {
        var seen = Set<ObjectIdentifier>()
        var stack: [Variable] = [self]
        var nodes: [Variable] = []
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
