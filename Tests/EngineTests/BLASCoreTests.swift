@testable import Engine
import Testing

/// The choice of OpenBLAS kernel family (`BLASCore`): which library picks are replaced, by what.
struct BLASCoreTests {
    @Test func aPickWithoutAVX2IsReplacedByTheBestFamilyTheCPURuns() {
        #expect(BLASCore.replacement(forPicked: "Prescott", hasAVX2FMA: true, hasAVX512: true) == "SkylakeX")
        #expect(BLASCore.replacement(forPicked: "Prescott", hasAVX2FMA: true, hasAVX512: false) == "Haswell")
        #expect(BLASCore.replacement(forPicked: "sandybridge", hasAVX2FMA: true, hasAVX512: false) == "Haswell")
        #expect(BLASCore.replacement(forPicked: "Unknown", hasAVX2FMA: true, hasAVX512: true) == "SkylakeX")
    }

    @Test func aCPUWithoutAVX2KeepsTheLibrarysPick() {
        #expect(BLASCore.replacement(forPicked: "Prescott", hasAVX2FMA: false, hasAVX512: false) == nil)
        #expect(BLASCore.replacement(forPicked: "Nehalem", hasAVX2FMA: false, hasAVX512: false) == nil)
    }

    @Test func aPickWithAVX2OrOneNotKnownIsKept() {
        for family in ["Haswell", "SkylakeX", "Cooperlake", "SapphireRapids", "Zen", "Excavator", "Zen5", "Neoverse"] {
            #expect(BLASCore.replacement(forPicked: family, hasAVX2FMA: true, hasAVX512: true) == nil, "\(family)")
        }
    }

    @Test func thisProcessesNameIsOpenBLASs() {
        #expect(!BLASCore.name.isEmpty)
        #expect(BLASCore.summary.hasPrefix("OpenBLAS kernels \(BLASCore.name)"))
    }
}
