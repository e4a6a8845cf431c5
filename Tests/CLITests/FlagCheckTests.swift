import Testing

/// Every command refuses a count, stride or interval below 1 before it reads anything, naming
/// the flag and the value it got.
@Suite struct FlagCheckTests {
    @Test(arguments: [
        ["predict", "--pretrained", "vmnist-predrnn", "--frame-stride", "0", "clip.avi"],
        ["predict", "--pretrained", "vmnist-predrnn", "--frames", "0", "clip.avi"],
        ["test", "--pretrained", "vmnist-predrnn", "--frame-stride", "0"],
        ["test", "no-run", "--test-count", "0"],
        ["compare", "vmnist-predrnn", "--test-count", "0"],
        ["compare", "vmnist-predrnn", "vmnist-motionrnn-predrnn", "--frame-stride", "0"],
        ["export", "no-run", "--output", "m.safetensors", "--average-last", "0"],
        ["curve", "no-run", "--every", "0"],
    ])
    func valuesBelowOneAreRefused(_ arguments: [String]) throws {
        let flagIndex = arguments.firstIndex { ["--frame-stride", "--frames", "--test-count", "--average-last", "--every"].contains($0) }!
        let (flag, value) = (arguments[flagIndex], arguments[flagIndex + 1])
        try CommandLineRun(arguments).expectRefusal(mentioning: ["\(flag) must be at least 1, got \(value)"])
    }

    /// `bench` checks its lists before it starts a measurement process (which would refuse them
    /// only after the first measurements ran).
    @Test(arguments: [
        (["bench", "--what", "train_step,inference"], "--what train_step,inference"),
        (["bench", "--model", "convlstm"], "--model convlstm"),
        (["bench", "--channels", "0"], "--channels 0"),
        (["bench", "--loss", "l1"], "--loss l1"),
        // Small otherwise, so that without the check it fails fast instead of measuring for minutes.
        (["bench", "--reps", "0", "--model", "predrnn", "--channels", "1", "--what", "inference"], "--reps"),
    ])
    func benchRefusesBadListsFirst(_ arguments: [String], phrase: String) throws {
        let run = try CommandLineRun(arguments)
        run.expectRefusal(mentioning: [phrase])
        #expect(run.output.isEmpty, "it started measuring: \(run.output)")
    }
}
