import Engine
import Foundation
import Testing

/// The tool runs OpenBLAS's fast kernels where the library itself picked slow ones (a CPU newer
/// than the library: `BLASCore`), and leaves a family the user set alone. `bench-kernels` prints
/// the family in its first line; on a tiny shape it takes a fraction of a second.
struct BLASCoreCommandTests {
    static let tinyBench = ["bench-kernels", "--batch", "1", "--channels", "4", "--repetitions", "1", "--warmup", "0"]

    static func reportedFamily(_ run: CommandLineRun) -> String? {
        guard let line = run.output.split(separator: "\n").first,
              let range = line.range(of: "OpenBLAS kernels ") else { return nil }
        return line[range.upperBound...].split(separator: " ").first.map(String.init)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, "the family is set for every process"))
    func theToolRunsKernelsThatUseTheCPUsAVX2() throws {
        let run = try CommandLineRun(Self.tinyBench)
        #expect(run.status == 0, "\(run.error)")
        let family = try #require(Self.reportedFamily(run), "no family in: \(run.output)")
        if BLASCore.cpuHasAVX2FMA {
            #expect(!BLASCore.lacksAVX2(family), "OpenBLAS runs \(family) on a CPU with AVX2 + FMA: \(run.output)")
        }
    }

    @Test func aFamilyTheUserSetIsKept() throws {
        let run = try CommandLineRun(Self.tinyBench, environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(run.status == 0, "\(run.error)")
        #expect(Self.reportedFamily(run) == "Prescott", "\(run.output)")
        #expect(!run.output.contains("chosen by motionrnn"))
    }
}
