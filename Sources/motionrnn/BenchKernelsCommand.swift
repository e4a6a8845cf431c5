import ArgumentParser
import Benchmarks
import Engine
import Foundation

/// `motionrnn bench-kernels`: the flags and the table of `ConvolutionKernelBenchmark`.
struct BenchKernelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-kernels",
        abstract: "Time conv forward / backward-data / backward-weights against raw SGEMM.")

    enum Layout: String, ExpressibleByArgument, CaseIterable {
        case auto, split, folded
        var kernelLayout: Convolution.BatchLayout? {
            switch self {
            case .auto: nil
            case .split: .split
            case .folded: .folded
            }
        }
    }

    enum Algorithm: String, ExpressibleByArgument, CaseIterable {
        case auto, im2col, winograd
        /// The engine's algorithm for `g`: Winograd only where it applies.
        func kernelAlgorithm(for g: ConvGeometry) -> Convolution.Algorithm? {
            switch self {
            case .auto: nil
            case .im2col: .im2col
            case .winograd: WinogradConvolution.supports(g) ? .winograd : nil
            }
        }
    }

    @Option(help: "Batch size.") var batch = 8
    @Option(help: "Hidden channels per layer (the shapes follow MotionRNN-PredRNN's convolutions).") var channels = 64
    @Option(help: "Timed repetitions per measurement (the median is reported).") var repetitions = 15
    @Option(help: "Untimed warm-up runs per measurement.") var warmup = 3
    @Option(help: "How the batch meets the cores: auto (the engine's choice by size), split (one part per core, each its own im2col + GEMM) or folded (one GEMM split inside).")
    var layout = Layout.auto
    @Option(help: "Convolution algorithm: auto (the engine's choice), im2col (column matrix + GEMM) or winograd (where it applies; others run auto). GF counts the direct convolution's FLOPs either way.")
    var algorithm = Algorithm.auto
    @Flag(help: "Also time im2col and col2im alone for each shape.") var breakdown = false
    @Flag(help: "Report the fastest sample instead of the median (nearer an idle machine's time when other jobs load it).")
    var fastest = false
    @Flag(help: "Measure process CPU time instead of wall time. Meaningful single-threaded only (MOTIONRNN_THREADS=1, pinned with taskset): it then counts the work done even while other jobs share the core.")
    var cpuTime = false

    func run() throws {
        print("cores \(Parallel.coreCount) (engine threads), load average \(BenchmarkEnvironment.loadAverage()), \(BLASCore.summary)")
        print("batch \(batch), hidden channels \(channels), layout \(layout.rawValue), algorithm \(algorithm.rawValue), \(cpuTime ? "CPU time, " : "")\(fastest ? "fastest" : "median") of \(repetitions) interleaved samples after \(warmup) warm-up; "
              + "ms per call, GF = GFLOP/s (2·M·N·K per pass), ratio = pass GF / SGEMM GF")
        let algorithm = self.algorithm
        let bench = ConvolutionKernelBenchmark(batch: batch, layout: layout.kernelLayout,
                                               algorithm: { algorithm.kernelAlgorithm(for: $0) },
                                               warmup: warmup, repetitions: repetitions, fastest: fastest, cpuTime: cpuTime)
        let header = ["shape", "M×N×K", "fwd ms", "GF", "bwdD ms", "GF", "bwdW ms", "GF",
                      "sgemm ms", "GF", "fwd/S", "bwdD/S", "bwdW/S"]
        let widths = [16, 15, 8, 6, 8, 6, 8, 6, 9, 6, 6, 7, 7]
        print(TextTable.row(header, widths: widths))
        let cases = ConvolutionKernelBenchmark.cases(hidden: channels)
        for item in cases {
            let result = bench.measure(item)
            let (seconds, gflops) = (result.seconds, result.gigaflops)
            func ms(_ value: Double) -> String { String(format: "%.3f", value * 1e3) }
            func gf(_ value: Double) -> String { String(format: "%.1f", value) }
            func ratio(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }
            print(TextTable.row([item.name, "\(result.m)×\(result.n)×\(result.k)",
                                 ms(seconds[0]), gf(gflops[0]), ms(seconds[1]), gf(gflops[1]), ms(seconds[2]), gf(gflops[2]),
                                 ms(seconds[3]), gf(gflops[3]),
                                 ratio(gflops[0] / gflops[3]), ratio(gflops[1] / gflops[3]), ratio(gflops[2] / gflops[3])],
                                widths: widths))
        }
        if breakdown {
            print("\nim2col / col2im alone (ms per call), size of the column matrix")
            for item in cases where !item.transposed && item.kernel > 1 {
                let copies = bench.measureColumnCopies(item)
                let name = item.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                print(name + String(format: " im2col %7.3f  col2im %7.3f  [%d×%d]",
                                    copies.im2col * 1e3, copies.col2im * 1e3, copies.rows, copies.columns))
            }
        }
    }
}
