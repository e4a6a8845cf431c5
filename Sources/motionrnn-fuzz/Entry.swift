import Foundation

// Built two ways. Normally: `motionrnn-fuzz TARGET FILE...` runs each file through the reader
// once (corpus replay, the regression tests). With `-sanitize=fuzzer -D FUZZING`
// (scripts/fuzz.sh): main hands the reader to libFuzzer's driver; the environment variable
// MOTIONRNN_FUZZ_TARGET picks which.

#if FUZZING
/// libFuzzer's driver (its runtime is linked by -sanitize=fuzzer).
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

// Unsafe is safe here: set once by `main` before libFuzzer's driver starts, then only read by
// the driver's callback on that same thread.
nonisolated(unsafe) private var fuzzTarget = FuzzTarget.npy

/// The entry libFuzzer's runtime expects to exist (its driver calls the one passed to it).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    fuzzTarget.run(start.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

@main
enum Fuzz {
    static func main() {
        let name = ProcessInfo.processInfo.environment["MOTIONRNN_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("set MOTIONRNN_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))\n".utf8))
            exit(2)
        }
        fuzzTarget = target
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzOneInput))
    }
}
#else
@main
enum Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: motionrnn-fuzz TARGET FILE...   (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            guard let bytes = FileManager.default.contents(atPath: path) else {
                print("cannot read \(path)")
                exit(1)
            }
            let refusal = target.run(bytes)
            print("\(path): \(refusal.map { "refused: \($0)" } ?? "accepted")")
            count += 1
        }
        print("\(target.rawValue): \(count) inputs, no crash")
    }
}
#endif
