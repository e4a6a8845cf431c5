import ArgumentParser
import Engine
import Foundation

/// `motionrnn bench-kernels`: times the convolution kernels on the shapes of the paper's
/// Moving MNIST configuration and compares each with a raw SGEMM of the same size, so the
/// overhead of im2col / col2im / reordering is visible as a ratio.
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

    /// One convolution of the model: 16×16 after patching, channels of the V-MNIST config.
    struct Case {
        let name: String
        let inChannels, outChannels, kernel, stride, padding, size: Int
        var transposed = false
    }

    /// The model's convolutions with `hidden` channels per layer.
    static func cases(hidden h: Int) -> [Case] {
        [
            Case(name: "conv_x l0", inChannels: 16, outChannels: 7 * h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "conv_x l>=1", inChannels: h, outChannels: 7 * h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "conv_h", inChannels: h, outChannels: 4 * h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "conv_m", inChannels: h, outChannels: 3 * h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "conv_o", inChannels: 2 * h, outChannels: h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "gate", inChannels: 2 * h, outChannels: h, kernel: 5, stride: 1, padding: 2, size: 16),
            Case(name: "conv_last 1x1", inChannels: 2 * h, outChannels: h, kernel: 1, stride: 1, padding: 0, size: 16),
            Case(name: "enc s2", inChannels: h, outChannels: 16, kernel: 5, stride: 2, padding: 2, size: 16),
            Case(name: "upd/rst/out 8x8", inChannels: 34, outChannels: 18, kernel: 3, stride: 1, padding: 1, size: 8),
            Case(name: "warp_gate 8x8", inChannels: 16, outChannels: 9, kernel: 3, stride: 1, padding: 1, size: 8),
            Case(name: "dec convT k4s2", inChannels: 16, outChannels: h, kernel: 4, stride: 2, padding: 1, size: 8,
                 transposed: true),
        ]
    }

    func run() throws {
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        print("cores \(Parallel.coreCount) (engine threads), load average \(load)")
        print("batch \(batch), hidden channels \(channels), layout \(layout.rawValue), algorithm \(algorithm.rawValue), \(cpuTime ? "CPU time, " : "")\(fastest ? "fastest" : "median") of \(repetitions) interleaved samples after \(warmup) warm-up; "
              + "ms per call, GF = GFLOP/s (2·M·N·K per pass), ratio = pass GF / SGEMM GF")
        let header = ["shape", "M×N×K", "fwd ms", "GF", "bwdD ms", "GF", "bwdW ms", "GF",
                      "sgemm ms", "GF", "fwd/S", "bwdD/S", "bwdW/S"]
        let widths = [16, 15, 8, 6, 8, 6, 8, 6, 9, 6, 6, 7, 7]
        printRow(header, widths)
        for item in Self.cases(hidden: channels) { printRow(measure(item), widths) }
        if breakdown {
            print("\nim2col / col2im alone (ms per call), size of the column matrix")
            for item in Self.cases(hidden: channels) where !item.transposed && item.kernel > 1 {
                var random = SplitMix(seed: 3)
                let g = ConvGeometry(op: item.name, batch: batch, channels: item.inChannels,
                                     input: (1, item.size, item.size), kernel: (1, item.kernel, item.kernel),
                                     stride: (1, item.stride, item.stride), padding: (0, item.padding, item.padding))
                let x = random.tensor(g.imageShape(rank: 4))
                let columns = random.tensor([g.patchSize, g.columnCount])
                let im2col = time {
                    let out = Tensor(uninitializedShape: columns.shape)
                    Im2Col.im2col(x.pointer, g, into: out.mutablePointer)
                }
                let col2im = time {
                    let out = Tensor(uninitializedShape: x.shape)
                    Im2Col.col2im(columns.pointer, g, into: out.mutablePointer)
                }
                let name = item.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                print(name + String(format: " im2col %7.3f  col2im %7.3f  [%d×%d]",
                                    im2col * 1e3, col2im * 1e3, g.patchSize, g.columnCount))
            }
        }
    }

    private func printRow(_ cells: [String], _ widths: [Int]) {
        print(zip(cells, widths).enumerated().map { index, pair in
            let pad = String(repeating: " ", count: max(0, pair.1 - pair.0.count))
            return index == 0 ? pair.0 + pad : pad + pair.0
        }.joined(separator: " "))
    }

    private func measure(_ item: Case) -> [String] {
        var random = SplitMix(seed: 7)
        let kernelLayout = layout.kernelLayout
        let size = item.size, k = item.kernel
        let (forward, backwardData, backwardWeights): (() -> Void, () -> Void, () -> Void)
        let (m, n, kk): (Int, Int, Int)
        if item.transposed {
            // The conv geometry whose image side is the transposed convolution's output.
            let outSize = (size - 1) * item.stride - 2 * item.padding + k
            let g = ConvGeometry(op: item.name, batch: batch, channels: item.outChannels,
                                 input: (1, outSize, outSize), kernel: (1, k, k),
                                 stride: (1, item.stride, item.stride), padding: (0, item.padding, item.padding))
            let x = random.tensor([batch, item.inChannels, size, size])
            let w = random.tensor([item.inChannels, item.outChannels, k, k])
            let dy = random.tensor(g.imageShape(rank: 4))
            (m, n, kk) = (g.patchSize, g.columnCount, item.inChannels)
            forward = { _ = Convolution.transposedForward(x, weight: w, bias: nil, geometry: g, layout: kernelLayout) }
            backwardData = {
                _ = Convolution.transposedBackward(dy, x: nil, weight: w, geometry: g, bias: false, layout: kernelLayout)
            }
            backwardWeights = {
                _ = Convolution.transposedBackward(dy, x: x, weight: nil, geometry: g, bias: false, layout: kernelLayout)
            }
        } else {
            let g = ConvGeometry(op: item.name, batch: batch, channels: item.inChannels, input: (1, size, size),
                                 kernel: (1, k, k), stride: (1, item.stride, item.stride),
                                 padding: (0, item.padding, item.padding))
            let x = random.tensor([batch, item.inChannels, size, size])
            let w = random.tensor([item.outChannels, item.inChannels, k, k])
            let dy = random.tensor(g.outputShape(channels: item.outChannels, rank: 4))
            (m, n, kk) = (item.outChannels, g.columnCount, g.patchSize)
            let kernelAlgorithm = algorithm.kernelAlgorithm(for: g)
            forward = {
                _ = Convolution.forward(x, weight: w, bias: nil, geometry: g, layout: kernelLayout,
                                        algorithm: kernelAlgorithm)
            }
            backwardData = {
                _ = Convolution.backward(dy, x: nil, weight: w, geometry: g, bias: false, layout: kernelLayout,
                                         algorithm: kernelAlgorithm)
            }
            backwardWeights = {
                _ = Convolution.backward(dy, x: x, weight: nil, geometry: g, bias: false, layout: kernelLayout,
                                         algorithm: kernelAlgorithm)
            }
        }
        // Raw SGEMM of the forward product's size, on preallocated operands.
        let a = random.tensor([m, kk]), b = random.tensor([kk, n]), c = Tensor(zeros: [m, n])
        let sgemm = {
            BLAS.gemm(m: m, n: n, k: kk, a: a.pointer, lda: kk, b: b.pointer, ldb: n,
                      c: c.mutablePointer, ldc: n)
        }
        let flops = 2.0 * Double(m) * Double(n) * Double(kk)
        let measured = times([forward, backwardData, backwardWeights, sgemm])
        let gflops = measured.map { flops / $0 / 1e9 }
        func ms(_ seconds: Double) -> String { String(format: "%.3f", seconds * 1e3) }
        func gf(_ value: Double) -> String { String(format: "%.1f", value) }
        func ratio(_ value: Double) -> String { String(format: "%.0f%%", value * 100) }
        return [item.name, "\(m)×\(n)×\(kk)",
                ms(measured[0]), gf(gflops[0]), ms(measured[1]), gf(gflops[1]), ms(measured[2]), gf(gflops[2]),
                ms(measured[3]), gf(gflops[3]),
                ratio(gflops[0] / gflops[3]), ratio(gflops[1] / gflops[3]), ratio(gflops[2] / gflops[3])]
    }

    /// Median seconds per call of each body. The bodies are sampled in turn (one sample of each
    /// per round), so a change of machine load affects them alike and their ratios stay fair.
    /// Each sample repeats its call enough times to last about a millisecond, so the clock's
    /// resolution does not dominate small shapes.
    private func times(_ bodies: [() -> Void]) -> [Double] {
        let useCPUTime = cpuTime
        func now() -> Double {
            guard useCPUTime else { return Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
            var spec = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        }
        func seconds(_ calls: Int, _ body: () -> Void) -> Double {
            let start = now()
            for _ in 0..<calls { body() }
            return (now() - start) / Double(calls)
        }
        let calls = bodies.map { body in
            for _ in 0..<warmup { body() }
            return max(1, min(1000, Int(1e-3 / max(seconds(1, body), 1e-7))))
        }
        var samples = [[Double]](repeating: [], count: bodies.count)
        for _ in 0..<max(1, repetitions) {
            for index in bodies.indices { samples[index].append(seconds(calls[index], bodies[index])) }
        }
        return samples.map { fastest ? $0.min()! : $0.sorted()[$0.count / 2] }
    }

    private func time(_ body: @escaping () -> Void) -> Double { times([body])[0] }
}

/// Deterministic operands (values in [-1, 1)) without a dependency on the test support.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 23) - 1
    }
    mutating func tensor(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in next() })
    }
}
