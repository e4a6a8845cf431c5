import ArgumentParser
import Engine
import Foundation
#if canImport(SwiftGlibc)
// For `stdout`, a C global that Swift 6 cannot check; the command touches it once, before any
// thread starts.
@preconcurrency import SwiftGlibc
#endif
import Benchmarks
import Predictor

/// `motionrnn bench`: times a training step and an inference forward of MotionRNN-PredRNN and
/// PredRNN in the paper's V-MNIST configuration (issue 5), each measurement in a fresh process
/// (the command re-runs itself with `--one`) so peak RSS values do not mix. Prints one JSON line
/// per measurement (the format of `bench/torch_bench.py`) and a table.
/// `--compare-pytorch` runs ours and PyTorch's alternately, round by round, on the same weights.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a training step and inference (optionally against PyTorch on the same weights).")

    @Option(parsing: .upToNextOption, help: "Models: motionrnn_predrnn, predrnn.")
    var model: [String] = TrainingStepBenchmark.ModelKind.allCases.map(\.rawValue)
    @Option(parsing: .upToNextOption, help: "Hidden channels per layer.") var channels: [Int] = [64, 32]
    /// What `--what` may name; kept as strings in the options because they travel to the
    /// children's command lines and into the JSON records (`bench/torch_bench.py`'s names).
    enum Measurement: String, CaseIterable {
        case trainStep = "train_step", inference
    }

    @Option(parsing: .upToNextOption, help: "train_step and/or inference.") var what = Measurement.allCases.map(\.rawValue)
    @Option(help: "Timed repetitions per measurement (median reported).") var reps = 3
    @Option(help: "Untimed repetitions first.") var warmup = 1
    @Option(help: "Loss: mse+l1 or mse.") var loss = "mse+l1"
    @Option(help: "Batch size.") var batch = 8
    @Option(help: "Safetensors parameters to load (may contain {model} and {channels}).") var params: String?
    @Flag(help: "Run ours and PyTorch's alternately and print ratios ours/PyTorch.") var comparePytorch = false
    @Option(help: "Interleaved rounds for --compare-pytorch (median over rounds).") var rounds = 3
    @Option(help: "Python interpreter for --compare-pytorch.") var python = "python3"
    @Option(help: "PyTorch timing script for --compare-pytorch.") var script = "bench/torch_bench.py"
    @Option(help: "OMP_WAIT_POLICY for PyTorch (default, passive, active); passive avoids OpenMP's spin-wait penalty on a loaded machine.")
    var ompWait = "default"
    @Flag(help: .hidden) var one = false

    /// Before any measurement starts (each runs in a child process, which would refuse it later).
    func validate() throws {
        let models = TrainingStepBenchmark.ModelKind.allCases.map(\.rawValue)
        if let bad = model.first(where: { !models.contains($0) }) {
            throw ValidationError("--model \(bad) is not one of \(models.joined(separator: ", ")) (give several separated by spaces)")
        }
        if let bad = what.first(where: { Measurement(rawValue: $0) == nil }) {
            throw ValidationError("--what \(bad) is not train_step or inference (give both separated by a space)")
        }
        if let bad = channels.first(where: { $0 < 1 }) { throw ValidationError("--channels \(bad) must be ≥ 1") }
        if TrainingStepBenchmark.Loss(rawValue: loss) == nil { throw ValidationError("--loss \(loss) is not mse+l1 or mse") }
        if reps < 1 || warmup < 0 || batch < 1 || rounds < 1 {
            throw ValidationError("--reps, --batch and --rounds must be ≥ 1 and --warmup ≥ 0")
        }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)   // lines appear as measurements finish, also when piped
        if one {
            print(try measureHere())
            return
        }
        let load = BenchmarkEnvironment.loadAverage()
        print("# cores \(Parallel.coreCount) (engine threads), load average \(load), \(BLASCore.summary)")
        if comparePytorch { try compare() } else { try measureAll() }
    }

    // MARK: One measurement, in this process

    private func setup(_ modelName: String, _ channelCount: Int) throws -> TrainingStepBenchmark.Setup {
        guard let kind = TrainingStepBenchmark.ModelKind(rawValue: modelName) else {
            throw ValidationError("unknown model \(modelName)")
        }
        guard let lossKind = TrainingStepBenchmark.Loss(rawValue: loss) else {
            throw ValidationError("unknown loss \(loss)")
        }
        var setup = TrainingStepBenchmark.Setup(model: kind, channels: channelCount)
        setup.loss = lossKind
        setup.batch = batch
        return setup
    }

    private func measureHere() throws -> String {
        guard model.count == 1, channels.count == 1, what.count == 1 else {
            throw ValidationError("--one takes exactly one --model, --channels and --what")
        }
        let setup = try setup(model[0], channels[0])
        let bench = try TrainingStepBenchmark(setup)
        let paramsFile = params.map { Self.expand($0, model[0], channels[0]) }
        if let paramsFile { try bench.loadParameters(from: URL(fileURLWithPath: paramsFile)) }
        guard let measurement = Measurement(rawValue: what[0]) else { throw ValidationError("unknown --what \(what[0])") }
        let training = measurement == .trainStep
        let body: () -> Void = training ? { bench.trainStep() } : { bench.inference() }
        let setupRSS = BenchmarkEnvironment.peakResidentMiB() ?? 0
        for _ in 0..<warmup { body() }
        var runs: [Double] = []
        for _ in 0..<max(1, reps) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            runs.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let size = setup.imageSize / setup.patchSize
        let record: [String: Any] = [
            "engine": "swift", "model": model[0], "channels": channels[0], "what": what[0],
            "median_s": Timing.median(runs), "runs": runs.map { ($0 * 1e6).rounded() / 1e6 },
            "peak_rss_mb": ((BenchmarkEnvironment.peakResidentMiB() ?? 0) * 10).rounded() / 10,
            "setup_rss_mb": (setupRSS * 10).rounded() / 10,
            "threads": Parallel.coreCount, "warmup": warmup, "batch": setup.batch, "layers": setup.layers,
            "filter": setup.filterSize, "frames": "\(setup.inputLength)->\(setup.totalLength - setup.inputLength)",
            "patch_space": [size, size, setup.patchSize * setup.patchSize * setup.imageChannels],
            "loss": training ? loss : NSNull(), "params": paramsFile ?? "random(seed=\(setup.seed))",
        ]
        let data = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Children

    private func ourChild(_ modelName: String, _ channelCount: Int, _ item: String, params: String?) -> [String] {
        var arguments = ["bench", "--one", "--model", modelName, "--channels", "\(channelCount)", "--what", item,
                         "--reps", "\(reps)", "--warmup", "\(warmup)", "--loss", loss, "--batch", "\(batch)"]
        if let params { arguments += ["--params", params] }
        return [BenchmarkEnvironment.executablePath()] + arguments
    }

    private func torchChild(_ modelName: String, _ channelCount: Int, _ item: String, params: String?) -> [String] {
        var arguments = [python, script, "--one", "--model", modelName, "--channels", "\(channelCount)",
                         "--what", item, "--reps", "\(reps)", "--warmup", "\(warmup)", "--loss", loss,
                         "--batch", "\(batch)", "--omp-wait", ompWait]
        if let params { arguments += ["--params", params] }
        return arguments
    }

    /// Runs a child and returns its last JSON line, parsed.
    private static func runChild(_ argv: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("{") }
        guard process.terminationStatus == 0, let last = lines.last,
              let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        else {
            throw ValidationError("measurement failed (exit \(process.terminationStatus)): \(argv.joined(separator: " "))")
        }
        return object
    }

    private var measurements: [(model: String, channels: Int, what: String)] {
        model.flatMap { m in channels.flatMap { c in what.map { (m, c, $0) } } }
    }

    private func measureAll() throws {
        var rows: [[String]] = []
        for (m, c, w) in measurements {
            let result = try Self.runChild(ourChild(m, c, w, params: params))
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            rows.append([m, "\(c)", w, TextTable.format(result["median_s"] as? Double ?? .nan, "%.3f"),
                         TextTable.format(result["peak_rss_mb"] as? Double ?? .nan, "%.0f")])
        }
        print("")
        print(TextTable.render(["model", "ch", "what", "median s", "peak MiB"], rows, leftColumns: 3))
    }

    // MARK: Against PyTorch

    private func compare() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("motionrnn-bench-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        // Same initial weights on both sides; forward multiply-adds counted once per config.
        var paramsFiles: [String: String] = [:]
        var multiplyAdds: [String: Int] = [:]
        for m in model {
            for c in channels {
                let key = "\(m)/\(c)"
                let bench = try TrainingStepBenchmark(try setup(m, c))
                let url = directory.appendingPathComponent("\(m)_\(c).safetensors")
                try bench.writeParameters(to: url)
                paramsFiles[key] = url.path
                multiplyAdds[key] = bench.forwardMultiplyAdds()
            }
        }
        // conv_h's product at 64 channels.
        let sgemm = SGEMMProbe.gigaflops(m: 256, n: 2048, k: 1600, parallelism: .splitProduct)
        print(String(format: "# raw SGEMM (256×2048×1600, one product split across the cores, this run): %.1f GFLOP/s", sgemm))
        print("# \(rounds) interleaved rounds; each round runs every measurement in a fresh process, ours then PyTorch's (order alternates by round); reps \(reps), warm-up \(warmup)")

        var ours: [String: [[String: Any]]] = [:], theirs: [String: [[String: Any]]] = [:]
        for round in 0..<max(1, rounds) {
            for (m, c, w) in measurements {
                let key = "\(m)/\(c)/\(w)", file = paramsFiles["\(m)/\(c)"]
                let runOurs = { ours[key, default: []].append(try Self.runChild(ourChild(m, c, w, params: file))) }
                let runTheirs = { theirs[key, default: []].append(try Self.runChild(torchChild(m, c, w, params: file))) }
                if round % 2 == 0 { try runOurs(); try runTheirs() } else { try runTheirs(); try runOurs() }
                for result in [ours[key]!.last!, theirs[key]!.last!] {
                    let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                }
            }
        }

        print("\nload average after the run: \(BenchmarkEnvironment.loadAverage())")
        var rows: [[String]] = []
        for (m, c, w) in measurements {
            let key = "\(m)/\(c)/\(w)"
            let ourTime = Timing.median(ours[key]!.compactMap { $0["median_s"] as? Double })
            let torchTime = Timing.median(theirs[key]!.compactMap { $0["median_s"] as? Double })
            let ourRSS = Timing.median(ours[key]!.compactMap { $0["peak_rss_mb"] as? Double })
            let torchRSS = Timing.median(theirs[key]!.compactMap { $0["peak_rss_mb"] as? Double })
            // Training ≈ 3 forwards (forward, backward-data, backward-weights), 2 FLOP per MAC.
            let flop = 2.0 * Double(multiplyAdds["\(m)/\(c)"]!) * (w == Measurement.trainStep.rawValue ? 3 : 1)
            rows.append([m, "\(c)", w, TextTable.format(ourTime, "%.3f"), TextTable.format(torchTime, "%.3f"),
                         TextTable.format(ourTime / torchTime, "%.2f"),
                         TextTable.format(ourRSS, "%.0f"), TextTable.format(torchRSS, "%.0f"),
                         TextTable.format(ourRSS / torchRSS, "%.2f"),
                         TextTable.format(flop / ourTime / 1e9, "%.0f"), TextTable.format(flop / torchTime / 1e9, "%.0f"),
                         TextTable.format(sgemm, "%.0f")])
        }
        print(TextTable.render(["model", "ch", "what", "ours s", "torch s", "ratio", "ours MiB", "torch MiB",
                                "ratio", "ours GF/s", "torch GF/s", "SGEMM GF/s"], rows, leftColumns: 3))
        print("GF/s: forward multiply-adds counted by OperationCounter × 2 FLOP (× 3 for a training step, an approximation)")
    }

    // MARK: Helpers

    static func expand(_ template: String, _ modelName: String, _ channelCount: Int) -> String {
        template.replacingOccurrences(of: "{model}", with: modelName)
            .replacingOccurrences(of: "{channels}", with: "\(channelCount)")
    }
}
