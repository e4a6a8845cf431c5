// swift-tools-version: 6.0
import PackageDescription

// Layers, each depending only on those before it:
// CBLAS (OpenBLAS binding), CKernels (AVX2/AVX-512 kernels in C) → Engine (tensors, autodiff, kernels) → Layers (modules, init, Adam, I/O)
// → Cells (recurrent blocks, MotionGRU, Warp) → Predictor (the stack over time) → the `motionrnn` command-line tool.
// Beside them, on Engine and ZlibCodec (the one zlib wrapper): Datasets (sequence sources, readers,
// generators) and Imaging (PNG/GIF, ffmpeg decoding, pictures, HTML reports).
// Every target, tests included, builds in the Swift 6 language mode (complete concurrency
// checking), Engine's `@Sendable` parallel loops included. What remains unchecked, and why it is
// safe: docs/RELIABILITY.md.

let package = Package(
    name: "MotionRNN",
    products: [
        .library(name: "MotionRNN", targets: ["Engine", "Layers", "Cells", "Predictor", "ZlibCodec", "Datasets", "Imaging", "DataSources", "Reports", "Metrics", "FVD", "Training", "Experiments", "Verification"]),
        .executable(name: "motionrnn", targets: ["motionrnn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Open MPI, for data-parallel training across processes and machines (train --distributed).
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        // gzip, zlib and raw deflate through the system zlib: PNG and the dataset readers.
        .target(name: "ZlibCodec", dependencies: ["CZlib"]),
        // The few kernels that need AVX2 + FMA or AVX-512, chosen at run time (the Swift code stays baseline x86-64).
        .target(name: "CKernels"),
        .target(name: "Engine", dependencies: ["CBLAS", "CKernels"]),
        // Frames and their preparation (crop, resize, channels), PNG/GIF, drawing.
        .target(name: "Imaging", dependencies: ["Engine", "ZlibCodec"]),
        .target(name: "Layers", dependencies: ["Engine"]),
        .target(name: "Cells", dependencies: ["Engine", "Layers"]),
        .target(name: "Predictor", dependencies: ["Engine", "Layers", "Cells"]),
        // The training loop: scheduled sampling, reverse input, checkpoints, exact resume, evaluation.
        .target(name: "Training", dependencies: ["Engine", "Layers", "Cells", "Predictor", "Metrics"]),
        // Training's ProcessGroup over MPI ranks.
        .target(name: "DistributedTraining", dependencies: ["CMPI", "Training"]),
        .target(name: "Datasets", dependencies: ["Engine", "ZlibCodec"]),
        // What a user names as data (generators, files, folders, videos through ffmpeg) → train/test datasets.
        .target(name: "DataSources", dependencies: ["Engine", "Datasets", "Imaging"]),
        // A run's pictures (strips, plots, motion arrows) and HTML page.
        .target(name: "Reports", dependencies: ["Engine", "Imaging"]),
        // Evaluation metrics of SPEC §9 (MSE, MAE, SSIM, PSNR, GDL, CSI/FAR) and their reports.
        .target(name: "Metrics", dependencies: ["Engine"]),
        // FVD (SPEC §11): I3D in the engine (inference), TF1 resize, Fréchet distance in Float64.
        .target(name: "FVD", dependencies: ["Engine"]),
        // The reference fixtures (official PyTorch tensors, I3D/FVD) run through our models and
        // compared: `verify-reference`, `verify-fvd` and the fixture tests share it.
        .target(name: "Verification", dependencies: ["Engine", "Layers", "Cells", "Predictor", "FVD"]),
        // What `motionrnn bench` and `bench-kernels` time: a training step, inference, kernels, SGEMM.
        .target(name: "Benchmarks", dependencies: ["Engine", "Layers", "Cells", "Predictor"]),
        // A run end to end: presets, data → trainer → evaluation → metrics and report.
        .target(name: "Experiments",
                dependencies: ["Engine", "Predictor", "Datasets", "DataSources", "Imaging", "Metrics",
                               "Reports", "Training"]),
        .executableTarget(
            name: "motionrnn",
            dependencies: [
                "Engine", "Layers", "Cells", "Predictor", "Datasets", "DataSources", "Imaging", "Metrics",
                "FVD", "Reports", "Training", "Experiments", "DistributedTraining", "Verification", "Benchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The file readers as libFuzzer targets (scripts/fuzz.sh) and a corpus replayer (tests).
        .executableTarget(name: "motionrnn-fuzz", dependencies: ["Datasets", "Engine", "Imaging", "Training", "ZlibCodec"]),
        // Shared by the test targets: fixture lookup, finite-difference gradient checks.
        .target(name: "TestSupport", dependencies: ["Engine", "Imaging", "DataSources"], path: "Tests/TestSupport"),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"]),
        .testTarget(name: "LayersTests", dependencies: ["Engine", "Layers", "TestSupport"]),
        .testTarget(name: "CellsTests", dependencies: ["Engine", "Layers", "Cells", "TestSupport"]),
        .testTarget(name: "PredictorTests",
                    dependencies: ["Engine", "Layers", "Cells", "Predictor", "TestSupport", "Verification"]),
        .testTarget(name: "VerificationTests",
                    dependencies: ["Engine", "Predictor", "Verification", "TestSupport"]),
        .testTarget(name: "TrainingTests",
                    dependencies: ["Engine", "Layers", "Cells", "Predictor", "Training", "TestSupport"]),
        // DataSources for ffmpeg, which cross-checks the PNG/GIF codecs.
        .testTarget(name: "ImagingTests", dependencies: ["Engine", "Imaging", "DataSources", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Engine", "TestSupport", "ZlibCodec"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Imaging", "Engine", "TestSupport"]),
        .testTarget(name: "DataSourcesTests",
                    dependencies: ["DataSources", "Datasets", "Imaging", "Engine", "TestSupport"]),
        .testTarget(name: "ExperimentsTests",
                    dependencies: ["Experiments", "DataSources", "Datasets", "Metrics", "Imaging", "Predictor", "Training", "Engine", "TestSupport"]),
        .testTarget(name: "MetricsTests", dependencies: ["Engine", "Metrics", "TestSupport"]),
        .testTarget(name: "FVDTests", dependencies: ["Engine", "FVD", "TestSupport"]),
        // Runs the built executable on hostile flags and files: clean refusals, no traps.
        .testTarget(name: "CLITests", dependencies: ["motionrnn", "motionrnn-fuzz", "Imaging", "Datasets", "Engine", "Training", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
