/// The losses of a run, kept for plots and saved in every checkpoint.
public struct LossHistory: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public let iteration: Int
        public let loss: Float
        public init(iteration: Int, loss: Float) {
            self.iteration = iteration
            self.loss = loss
        }
    }

    /// The training loss of every iteration: `training[i]` is iteration i + 1's (with reverse
    /// input: the mean of the forward and reversed losses). A plain array keeps the checkpoint
    /// JSON of a long run small.
    public var training: [Float] = []
    /// The validation loss at each validation interval.
    public var validation: [Point] = []

    public init() {}
}
