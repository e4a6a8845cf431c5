// swift-tools-version: 6.0
import PackageDescription

// Layers, each depending only on those before it:
// CBLAS (OpenBLAS binding) → Engine (tensors, autodiff, kernels) → Layers (modules, init, Adam, I/O)
// → Cells (recurrent blocks, MotionGRU, Warp) → Predictor (the stack over time) → the `motionrnn` command-line tool.
let package = Package(
    name: "MotionRNN",
    products: [
        .library(name: "MotionRNN", targets: ["Engine", "Layers", "Cells", "Predictor", "Training"]),
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
        .target(name: "Engine", dependencies: ["CBLAS"]),
        // Frames, PNG/GIF, ffmpeg decoding, strips, plots, motion arrows, HTML reports.
        .target(name: "Imaging", dependencies: ["Engine", "CZlib"]),
        .target(name: "Layers", dependencies: ["Engine"]),
        .target(name: "Cells", dependencies: ["Engine", "Layers"]),
        .target(name: "Predictor", dependencies: ["Engine", "Layers", "Cells"]),
        // The training loop: scheduled sampling, reverse input, checkpoints, exact resume, evaluation.
        .target(name: "Training", dependencies: ["Engine", "Layers", "Cells", "Predictor"]),
        .executableTarget(
            name: "motionrnn",
            dependencies: [
                "Engine", "Layers", "Cells", "Predictor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Shared by the test targets: fixture lookup, finite-difference gradient checks.
        .target(name: "TestSupport", dependencies: ["Engine"], path: "Tests/TestSupport"),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"]),
        .testTarget(name: "LayersTests", dependencies: ["Engine", "Layers", "TestSupport"]),
        .testTarget(name: "CellsTests", dependencies: ["Engine", "Layers", "Cells", "TestSupport"]),
        .testTarget(name: "PredictorTests",
                    dependencies: ["Engine", "Layers", "Cells", "Predictor", "TestSupport"]),
        .testTarget(name: "TrainingTests",
                    dependencies: ["Engine", "Layers", "Cells", "Predictor", "Training", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Engine", "Imaging", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
