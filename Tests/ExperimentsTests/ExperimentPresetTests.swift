import DataSources
import Experiments
import Predictor
import Testing
import Training

@Suite struct ExperimentPresetTests {
    @Test(arguments: ExperimentPreset.allCases)
    func everyModelIsValidInEveryPreset(preset: ExperimentPreset) throws {
        for model in ModelConfiguration.modelNames {
            let experiment = try preset.experiment(model: model, data: preset.defaultData ?? .frames(path: "clips"))
            try experiment.training.validate()
            #expect(experiment.training.samplingProbability(atIteration: experiment.training.iterations / 2) == 0)
        }
    }

    @Test func paperPresetsFollowSpecSection7() throws {
        let experiment = try ExperimentPreset.vmnist.experiment(model: "motionrnn-predrnn", data: .vmnist(digits: nil))
        let t = experiment.training, m = t.model
        #expect(t.learningRate == 3e-4 && t.batchSize == 8 && t.iterations == 100_000 && t.reverseInput)
        #expect(t.samplingStopIteration == 50_000 && t.samplingDelta == 2e-5 && t.loss == .l1l2)
        #expect(m.hiddenChannels == [64, 64, 64, 64] && m.filterSize == 5 && m.patchSize == 4)
        #expect(m.inputLength == 10 && m.totalLength == 20 && m.motion == .full && m.motion.alpha == 0.5)
        let radar = try ExperimentPreset.radar.experiment(model: "predrnn", data: .radar).training.model
        #expect(radar.inputLength == 5 && radar.totalLength == 15 && radar.motion == .none)
        let human = try ExperimentPreset.human.experiment(model: "motionrnn-predrnn", data: .frames(path: "h36m"))
        #expect(human.model.imageHeight == 128 && human.model.imageChannels == 3 && human.frameStride == 2)
    }
}
