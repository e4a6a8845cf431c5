// Train MotionRNN-PredRNN on your own frames, then predict the next ones with it.
import DataSources
import Experiments
import Foundation
import Imaging

// A folder of images (read in name order) or a video file ffmpeg can read.
let frames = CommandLine.arguments.dropFirst().first
    ?? "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

// The CPU-sized human-motion preset: 64×64 RGB, 4 frames in → 4 out, 2 layers × 32.
// Every field of the experiment can be changed before the run starts.
var experiment = try ExperimentPreset.humanCPU.experiment(model: "motionrnn-predrnn", data: .frames(path: frames))
experiment.training.iterations = 40
experiment.training.validationInterval = 20
experiment.testCount = 16

// Trains (checkpoints in runs/my-frames/checkpoints, resumable), scores the held-out part of
// the frames and writes metrics.md and report/index.html.
let run = URL(fileURLWithPath: "runs/my-frames")
let outcome = try ExperimentRunner.train(experiment, in: run, resume: false)
print(outcome.metrics?.markdownTable() ?? "stopped before the last iteration")

// Later, in any process: load the run's newest checkpoint and continue the clip's last frames.
let trained = try TrainedModel(run: run)
let clip = try FrameSource.load(URL(fileURLWithPath: frames), transform: trained.frameTransform)
let prediction = try trained.predict(following: Array(clip.suffix(trained.experiment.model.inputLength)))
print("predicted \(prediction.count) frames of \(prediction[0].width)×\(prediction[0].height)")
