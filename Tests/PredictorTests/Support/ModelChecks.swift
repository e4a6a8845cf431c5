import Cells
import Engine
import Foundation
import Layers
import Predictor
import Testing
import TestSupport

/// The fixtures' tolerance: max|ours − ref| / max|ref| per tensor.
let fixtureTolerance = 1e-4

/// Loads a full-model fixture's parameters into `model`, runs forward on its inputs with its
/// mask, forms the loss with `lossFunction` (MSE for most fixtures, MSE + L1 for E3D-LSTM),
/// backpropagates, and expects the predicted frames, the loss and every parameter's gradient to
/// be within `fixtureTolerance`. Returns the errors (name → relative error) for reporting.
@discardableResult
func verifyFullModel<B: Backbone>(
    _ fixtureName: String, _ model: VideoPredictor<B>, inputLength: Int = 3,
    loss lossFunction: (Variable, Variable) -> Variable = mseLoss,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [(String, Double)] {
    let fixture = try ReferenceTensors(fixtureName)
    try model.loadParameters(from: fixture.tensors, source: fixtureName)
    let frames = Variable(try fixture.tensor("input.frames"))
    let mask = Variable(try fixture.tensor("input.mask_true"))
    let predictions = model(frames: frames, mask: mask, inputLength: inputLength)
    let target = slice(frames, range: 1..<frames.shape[1], axis: 1)
    let loss = lossFunction(predictions, target)

    var errors: [(String, Double)] = []
    errors.append(("output.next_frames",
                   predictions.value.relativeError(to: try fixture.tensor("output.next_frames"))))
    errors.append(("output.loss",
                   loss.value.reshaped([1]).relativeError(to: try fixture.tensor("output.loss"))))
    loss.backward()
    for (name, parameter) in model.namedParameters {
        let gradient = parameter.grad ?? Tensor(zeros: parameter.shape)
        errors.append(("grad.\(name)", gradient.relativeError(to: try fixture.tensor("grad.\(name)"))))
    }
    for (name, error) in errors {
        #expect(error <= fixtureTolerance, "\(fixtureName) \(name): relative error \(error)",
                sourceLocation: sourceLocation)
    }
    let worst = errors.max { $0.1 < $1.1 }!
    print("\(fixtureName): \(errors.count) tensors, worst relative error \(worst.1) (\(worst.0))")
    return errors
}

/// A tiny fixed training set: `count` sequences of a bright square moving one patch cell per
/// step on a dark background, in patch space `[count, length, size, size, channels]`.
func movingSquares(count: Int, length: Int, size: Int, channels: Int) -> Tensor {
    var frames = Tensor(zeros: [count, length, size, size, channels])
    frames.withUnsafeMutableBufferPointer { values in
        for sequence in 0..<count {
            for t in 0..<length {
                let row = (sequence + t) % (size - 1), column = (2 * sequence + t) % (size - 1)
                for y in row...(row + 1) {
                    for x in column...(column + 1) {
                        for c in 0..<channels {
                            values[(((sequence * length + t) * size + y) * size + x) * channels + c] = 0.9
                        }
                    }
                }
            }
        }
    }
    return frames
}

/// Trains `model` with Adam on `frames` (teacher forcing off after `inputLength`: the model feeds
/// on its own predictions) and expects the L1+L2 loss after `steps` steps to be at most
/// `factor` times the first one. Returns (first, last) loss.
@discardableResult
func expectTrains<B: Backbone>(
    _ model: VideoPredictor<B>, frames: Tensor, inputLength: Int, steps: Int, factor: Float,
    learningRate: Double = 3e-3, sourceLocation: SourceLocation = #_sourceLocation
) -> (first: Float, last: Float) {
    let optimizer = Adam(parameters: model.parameters, learningRate: learningRate)
    let input = Variable(frames)
    let target = slice(input, range: 1..<frames.shape[1], axis: 1)
    var losses: [Float] = []
    for _ in 0..<steps {
        optimizer.zeroGradients()
        let loss = l1PlusL2Loss(model(frames: input, mask: nil, inputLength: inputLength), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.value.scalar)
    }
    let (first, last) = (losses.first!, losses.last!)
    print("training: loss \(first) → \(last) in \(steps) steps (\(last / first)×)")
    #expect(last.isFinite && last <= factor * first,
            "loss went from \(first) to \(last) in \(steps) steps (wanted ≤ \(factor)×)",
            sourceLocation: sourceLocation)
    return (first, last)
}
