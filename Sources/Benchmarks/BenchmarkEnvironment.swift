import Foundation

/// What a benchmark prints beside its figures, so a reader can judge them: the machine's load
/// and the process's peak memory.
package enum BenchmarkEnvironment {
    /// The 1-, 5- and 15-minute load averages ("?" where /proc is missing).
    package static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    /// Peak resident set size of this process in MiB (VmHWM), nil where /proc is missing.
    package static func peakResidentMiB() -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kib / 1024
    }

    /// The path of the running executable (for benchmarks that measure in fresh processes).
    package static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
