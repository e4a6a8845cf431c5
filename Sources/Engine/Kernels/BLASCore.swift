import CBLAS
import CKernels
import Foundation

/// Which of OpenBLAS's kernel families runs our matrix products, and the repair for when the
/// library picked one far below the CPU.
///
/// OpenBLAS (Debian's build is DYNAMIC_ARCH) picks its kernels from the CPU's family and model
/// while it loads. On a CPU newer than the library it can fall back to its SSE3 kernels: Debian
/// 12's OpenBLAS 0.3.21 does so on Intel's Emerald Rapids (family 6, model 207), where its
/// single-thread SGEMM then runs at 31 GFLOP/s against 150 with its AVX-512 ("SkylakeX") kernels
/// (`motionrnn bench-kernels`, docs/PERFORMANCE.md). The library reads `OPENBLAS_CORETYPE` only
/// while it loads, so the repair is to start the process again with the variable set.
package enum BLASCore {
    /// The kernel family OpenBLAS runs, as it names it (e.g. "Haswell", "SkylakeX", "Prescott").
    package static var name: String {
        openblas_get_corename().map { String(cString: $0) } ?? "unknown"
    }

    /// The environment variable through which `restartIfItPickedBadly` tells the restarted
    /// process what the library had picked by itself.
    static let ownPickVariable = "MOTIONRNN_OPENBLAS_OWN_PICK"

    /// For benchmark headers: the family in use and, when this tool chose it, the library's own pick.
    package static var summary: String {
        guard let ownPick = ProcessInfo.processInfo.environment[ownPickVariable] else {
            return "OpenBLAS kernels \(name)"
        }
        return "OpenBLAS kernels \(name) (chosen by motionrnn; the library's own pick was \(ownPick))"
    }

    /// Whether the CPU has AVX2 + FMA, and AVX-512 (F, BW, DQ, VL).
    package static let cpuHasAVX2FMA = mrnn_cpu_has_avx2_fma() != 0
    package static let cpuHasAVX512 = mrnn_cpu_has_avx512() != 0

    /// Whether `family` is one of OpenBLAS's x86 kernel families without AVX2 + FMA.
    package static func lacksAVX2(_ family: String) -> Bool {
        familiesWithoutAVX2.contains(family.lowercased())
    }

    /// Their names as OpenBLAS spells them, in lower case.
    private static let familiesWithoutAVX2: Set<String> = [
        "unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
        "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "sandybridge",
        "bobcat", "bulldozer", "piledriver", "steamroller",
    ]

    /// The family to ask for instead of `picked`, or nil to keep it: only a pick without AVX2 on a
    /// CPU that has AVX2 + FMA is replaced, by the best family the CPU runs. A family that has
    /// AVX2 is kept, even where another might be faster: the library knows that CPU.
    package static func replacement(forPicked picked: String, hasAVX2FMA: Bool, hasAVX512: Bool) -> String? {
        guard lacksAVX2(picked), hasAVX2FMA else { return nil }
        return hasAVX512 ? "SkylakeX" : "Haswell"
    }

    /// Starts this program again (same arguments, same process) with `OPENBLAS_CORETYPE` set when
    /// OpenBLAS picked a family far below the CPU (`replacement`) and the user did not set the
    /// variable; otherwise, or if the restart fails (then with a note on standard error), returns.
    /// Call it first thing in `main`: everything done before it is done twice.
    package static func restartIfItPickedBadly() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil,
              let better = replacement(forPicked: name, hasAVX2FMA: cpuHasAVX2FMA, hasAVX512: cpuHasAVX512)
        else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        setenv(ownPickVariable, name, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        let reason = String(cString: strerror(errno))
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(ownPickVariable)
        FileHandle.standardError.write(Data(("note: OpenBLAS runs its \(name) kernels on this CPU, which has faster ones; "
            + "restarting with OPENBLAS_CORETYPE=\(better) failed (\(reason)): set it yourself for faster matrix products\n").utf8))
    }
}
