/// The test metrics of SPEC §9 that are computed per frame, in report order. CSI/FAR are not
/// among them: they pool event counts over the test set (`CategoricalScoring`).
public enum FrameMetrics {
    public static let all: [any FrameMetric] = [
        MeanSquaredError(), MeanAbsoluteError(), StructuralSimilarityMetric(), PeakSignalToNoiseRatio(),
        GradientDifference(),
    ]

    /// The metric called `name` (as in `FrameMetric.name`), if there is one.
    public static func named(_ name: String) -> (any FrameMetric)? {
        all.first { $0.name == name }
    }

    /// Names of the metrics where higher is better (for plots and tables).
    public static var higherIsBetter: Set<String> { Set(all.filter(\.higherIsBetter).map(\.name)) }
}
