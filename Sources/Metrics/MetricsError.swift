/// Failures of the metrics pipeline. A report never holds NaN: a non-finite metric stops the
/// batch with this error instead, and the accumulator keeps its state from before the batch.
public enum MetricsError: Error, Equatable, CustomStringConvertible {
    /// `metric` came out NaN or infinite for predicted frame `frame` (0-based) of test sequence
    /// `sequence` (0-based over everything added so far); `cause` says which input holds which
    /// non-finite value where.
    case nonFinite(metric: String, sequence: Int, frame: Int, cause: String)
    /// `report()` before any sequence was added.
    case noSequences
    /// Frames smaller than SSIM's window cannot be scored.
    case framesTooSmall(height: Int, width: Int)

    public var description: String {
        switch self {
        case let .nonFinite(metric, sequence, frame, cause):
            return "MetricsError: \(metric) is not finite for predicted frame \(frame + 1) "
                + "(index \(frame)) of test sequence \(sequence): \(cause)"
        case .noSequences:
            return "MetricsError: no sequences were added, there is nothing to report"
        case let .framesTooSmall(height, width):
            return "MetricsError: frames of \(height)×\(width) are smaller than SSIM's \(StructuralSimilarity.window)×\(StructuralSimilarity.window) window"
        }
    }
}
