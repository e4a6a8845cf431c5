import Engine
import Predictor
import Testing
@testable import Training

/// PredRNN-v2 trains on the frame loss plus its decoupling term: with β = 0 it trains exactly as
/// PredRNN does (the same cells from the same seed; the adapter gets no gradient), with the
/// official β not.
@Suite struct DecouplingTrainingTests {
    func history(_ backbone: ModelConfiguration.BackboneKind, beta: Double? = nil) throws -> [Float] {
        var configuration = tinyTraining(iterations: 3)
        configuration.model = tinyModel(motion: .none)
        configuration.model.backbone = backbone
        configuration.model.decouplingWeight = beta
        let trainer = try Trainer(configuration: configuration, batches: MovingSquareSource(seed: 5), progress: silent())
        try trainer.run()
        return trainer.history.training
    }

    @Test func theDecouplingTermJoinsTheTrainingLoss() throws {
        let predRNN = try history(.predrnn)
        #expect(try history(.predrnnv2, beta: 0) == predRNN)
        let official = try history(.predrnnv2)
        // The first iteration's loss already holds β × mean |cos| (> 0) on top of the same MSE.
        #expect(official[0] > predRNN[0])
        #expect(official != predRNN)
    }
}
