/// The losses of a run, kept for plots and saved in every checkpoint.
public struct LossHistory: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public let iteration: Int
        public let loss: Float
        /// SPEC §9's MSE of each predicted frame (sum over the frame's pixels, the prediction
        /// clipped to [0, 1]), averaged over the validation sequences.
        public let msePerFrame: [Float]?
        /// Training wall time up to this point, summed over every session of the run.
        public let seconds: Double?

        public init(iteration: Int, loss: Float, msePerFrame: [Float]? = nil, seconds: Double? = nil) {
            self.iteration = iteration
            self.loss = loss
            self.msePerFrame = msePerFrame
            self.seconds = seconds
        }

        /// Points are equal when their numbers are: wall times differ from run to run.
        public static func == (a: Point, b: Point) -> Bool {
            a.iteration == b.iteration && a.loss.bitPattern == b.loss.bitPattern && a.msePerFrame == b.msePerFrame
        }

        /// The mean of `msePerFrame`.
        public var meanMSE: Float? {
            msePerFrame.flatMap { $0.isEmpty ? nil : $0.reduce(0, +) / Float($0.count) }
        }
    }

    /// The training loss of every iteration: `training[i]` is iteration i + 1's (with reverse
    /// input: the mean of the forward and reversed losses). A plain array keeps the checkpoint
    /// JSON of a long run small.
    public var training: [Float] = []
    /// The validation loss at each validation interval.
    public var validation: [Point] = []
    /// Training wall time of the iterations so far, over every session (nil in runs saved
    /// before it was kept).
    public var trainingSeconds: Double?

    public init() {}

    /// Histories are equal when their losses are (bit for bit): wall times differ from run to run.
    public static func == (a: LossHistory, b: LossHistory) -> Bool {
        a.training.map(\.bitPattern) == b.training.map(\.bitPattern) && a.validation == b.validation
    }
}
