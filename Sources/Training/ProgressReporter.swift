import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The live progress line on standard error: iteration/total, loss, η, iterations per second and
/// the time left. On a terminal one line is rewritten in place (carriage return); otherwise (a log
/// file, a pipe) a plain line is written every `lineEvery` iterations and at the last one.
public final class ProgressReporter {
    public enum Style: Sendable, Equatable {
        /// In-place updates on a terminal, a line every `lineEvery` iterations otherwise.
        case automatic(lineEvery: Int)
        /// A plain line every `every` iterations, even on a terminal.
        case lines(every: Int)
        case silent
    }

    public let style: Style
    private let isTerminal: Bool
    private let write: (String) -> Void
    private var start: (time: Double, iteration: Int)?
    /// Whether an in-place line is showing and must be cleared before a message.
    private var lineOpen = false

    public init(style: Style = .automatic(lineEvery: 50)) {
        self.style = style
        isTerminal = isatty(STDERR_FILENO) != 0
        write = { FileHandle.standardError.write(Data($0.utf8)) }
    }

    /// For tests: collects the output instead of writing it.
    init(style: Style, isTerminal: Bool, write: @escaping (String) -> Void) {
        self.style = style
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Starts the clock for the rate: `iteration` iterations are already done (a resumed run
    /// counts only its own).
    public func begin(iteration: Int) {
        start = (Self.seconds(), iteration)
    }

    /// Ends an in-place line so that what follows starts on a line of its own.
    public func finish() {
        if lineOpen { write("\n") }
        lineOpen = false
    }

    /// Reports that `iteration` of `total` is done; `learningRate` is the one it used, `eta` the
    /// scheduled-sampling probability. With `stop`, where this run stops before `total`
    /// (--stop-at), the time left is estimated to there; a time budget's last iteration is not
    /// known in advance, so it is not counted.
    public func update(iteration: Int, total: Int, stop: Int? = nil, loss: Float, learningRate: Double? = nil, eta: Double) {
        let now = Self.seconds()
        if start == nil { start = (now, iteration) }
        let (startTime, startIteration) = start!
        let elapsed = now - startTime
        let done = iteration - startIteration
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let line = Self.format(iteration: iteration, total: total, stop: stop, loss: loss, learningRate: learningRate,
                               eta: eta, rate: rate)
        let last = iteration == (stop ?? total)
        switch style {
        case .silent:
            return
        case .automatic where isTerminal:
            write("\r\u{1B}[K" + line + (last ? "\n" : ""))
            lineOpen = !last
        case .automatic(let every), .lines(let every):
            if iteration % max(1, every) == 0 || last { write(line + "\n") }
        }
    }

    /// A line of its own (validation results, checkpoints), not overwritten by the progress line.
    public func message(_ text: String) {
        guard style != .silent else { return }
        write((lineOpen ? "\r\u{1B}[K" : "") + text + "\n")
        lineOpen = false
    }

    static func format(iteration: Int, total: Int, stop: Int? = nil, loss: Float, learningRate: Double? = nil,
                       eta: Double, rate: Double) -> String {
        let end = stop.map { min($0, total) } ?? total
        let left = rate > 0 ? duration(Double(end - iteration) / rate) : "?"
        return "iteration \(iteration)/\(total)\(end < total ? " (stop at \(end))" : "")  loss \(String(format: "%.6f", loss))  "
            + (learningRate.map { "lr \(String(format: "%.2e", $0))  " } ?? "")
            + "sampling η \(String(format: "%.4f", eta))  \(String(format: "%.2f", rate)) it/s  ETA \(left)"
    }

    /// `45s`, `12m 03s`, `3h 20m`.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return String(format: "%dm %02ds", total / 60, total % 60) }
        return String(format: "%dh %02dm", total / 3600, (total % 3600) / 60)
    }

    private static func seconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}
