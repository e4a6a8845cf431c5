import Datasets
import Foundation
import Testing

@Suite struct NPZTests {
    private let directory = temporaryDirectory("npz")

    /// Files written by NumPy 2.4.6 itself (they carry the ZIP64 local headers NumPy always
    /// writes, which a hand-made archive lacks):
    /// `np.savez(f, clips=clips, dims=dims, input_raw_data=raw)` and `np.savez_compressed` of
    /// clips = int32 [[[0,2],[5,2]],[[2,3],[7,3]]], dims = int32 [[1,2,3]],
    /// raw = float32 arange(60).reshape(10,1,2,3) / 59.
    static let numpySavez = """
        UEsDBC0AAAAAAAAAIQDMbPIT//////////8JABQAY2xpcHMubnB5AQAQAKAAAAAAAAAAoAAAAAAAAACTTlVNUFkBAHYAeydkZXNj
        cic6ICc8aTQnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiwgMiksIH0gICAgICAgICAgICAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgAAAAACAAAABQAAAAIAAAACAAAAAwAAAAcAAAADAAAAUEsDBC0A
        AAAAAAAAIQCAbsDg//////////8IABQAZGltcy5ucHkBABAAjAAAAAAAAACMAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxp
        NCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgxLCAzKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAg
        ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAQAAAAIAAAADAAAAUEsDBC0AAAAAAAAAIQCfE8l+//////////8SABQAaW5w
        dXRfcmF3X2RhdGEubnB5AQAQAHABAAAAAAAAcAEAAAAAAACTTlVNUFkBAHYAeydkZXNjcic6ICc8ZjQnLCAnZm9ydHJhbl9vcmRl
        cic6IEZhbHNlLCAnc2hhcGUnOiAoMTAsIDEsIDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg
        ICAgICAgICAgICAgCgAAAADz2Io889gKPWxFUD3z2Io9MI+tPWxF0D2p+/I989gKPhE0HD4wjy0+Tuo+PmxFUD6LoGE+qftyPmQr
        gj7z2Io+goaTPhE0nD6h4aQ+MI+tPr88tj5O6r4+3ZfHPmxF0D788tg+i6DhPhpO6j6p+/I+OKn7PmQrAj8rggY/89gKP7svDz+C
        hhM/St0XPxE0HD/ZiiA/oeEkP2g4KT8wjy0/9+UxP788Nj+Hkzo/Tuo+PxZBQz/dl0c/pe5LP2xFUD80nFQ//PJYP8NJXT+LoGE/
        UvdlPxpOaj/ipG4/qftyP3FSdz84qXs/AACAP1BLAQItAy0AAAAAAAAAIQDMbPIToAAAAKAAAAAJAAAAAAAAAAAAAACAAQAAAABj
        bGlwcy5ucHlQSwECLQMtAAAAAAAAACEAgG7A4IwAAACMAAAACAAAAAAAAAAAAAAAgAHbAAAAZGltcy5ucHlQSwECLQMtAAAAAAAA
        ACEAnxPJfnABAABwAQAAEgAAAAAAAAAAAAAAgAGhAQAAaW5wdXRfcmF3X2RhdGEubnB5UEsFBgAAAAADAAMArQAAAFUDAAAAAA==
        """
    static let numpySavezCompressed = """
        UEsDBC0AAAAIAAAAIQDMbPIT//////////8JABQAY2xpcHMubnB5AQAQAKAAAAAAAAAAVQAAAAAAAACb7BfqGxDJyFDGUK2eklqc
        XKRupaBuk2mirqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RpGOgogpKmjUKtAHuBiAAImIGaF0iDMDMTsUBoAUEsDBC0A
        AAAIAAAAIQCAbsDg//////////8IABQAZGltcy5ucHkBABAAjAAAAAAAAABPAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6T
        aaKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GoY6CsaaOgq1CmQDLkYGBgYmIGYGYgBQSwMELQAAAAgAAAAhAJ8TyX7/
        /////////xIAFABpbnB1dF9yYXdfZGF0YS5ucHkBABAAcAEAAAAAAAAvAQAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKu
        o6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GoYGOgqGOgpGOgrGmjoKtQqkAy4GIPh8o8vm8w0u2xzXAFsg29agfy2QfcF2
        5e9PQD6XnaCJjJ1Bv66d3ys7O6Aau+4FiXYrfxfZpWg32QHV2zW1TQaqmWO38OESoLq1dvtttgHV7rO7O/04UP0Fuz+fbgD1PLST
        AhoANNPOYuVvoF4me+0mNnug+fa79fntm9qE7b3uitsD7bK/2aVgv/Chin2GhaY90F77708N7ffbmNm3T7ayBxphL+bobH93urv9
        0nfe9kD32JvMCbH/8ynC/rBnrD3QbfZB31Ptpfyy7B8tybMHutO+MKjc3mJltT0DQ4M9AFBLAQItAy0AAAAIAAAAIQDMbPITVQAA
        AKAAAAAJAAAAAAAAAAAAAACAAQAAAABjbGlwcy5ucHlQSwECLQMtAAAACAAAACEAgG7A4E8AAACMAAAACAAAAAAAAAAAAAAAgAGQ
        AAAAZGltcy5ucHlQSwECLQMtAAAACAAAACEAnxPJfi8BAABwAQAAEgAAAAAAAAAAAAAAgAEZAQAAaW5wdXRfcmF3X2RhdGEubnB5
        UEsFBgAAAAADAAMArQAAAIwCAAAAAA==
        """

    private func numpyFile(_ base64: String, _ name: String) -> URL {
        write(Data(base64Encoded: base64, options: .ignoreUnknownCharacters)!, name, in: directory)
    }

    @Test(arguments: [false, true])
    func readsArchivesWrittenByNumPy(compressed: Bool) throws {
        let url = compressed ? numpyFile(Self.numpySavezCompressed, "c.npz")
                             : numpyFile(Self.numpySavez, "s.npz")
        let npz = try NPZFile.read(from: url)
        #expect(Set(npz.names) == ["clips", "dims", "input_raw_data"])
        #expect(try npz.array("clips").integers() == [0, 2, 5, 2, 2, 3, 7, 3])
        #expect(try npz.array("dims").shape == [1, 3])
        let raw = try npz.array("input_raw_data")
        #expect(raw.shape == [10, 1, 2, 3])
        #expect(raw.floats() == (0..<60).map { Float($0) / 59 })
        expectDatasetError(.missingMember("labels.npy"), pathContains: url.lastPathComponent) {
            _ = try npz.array("labels")
        }
    }

    @Test(arguments: [false, true])
    func roundTripsOwnArchives(compressed: Bool) throws {
        let a = NPYArray.encode(float32: [1, 2, 3], shape: [3])
        let b = NPYArray.encode(uint8: Array(repeating: 7, count: 1000), shape: [10, 100])
        let url = write(ZipArchive.encode([("a.npy", a), ("b.npy", b)], compress: compressed),
                        "own.npz", in: directory)
        let npz = try NPZFile.read(from: url)
        #expect(npz.archive.members.map(\.method) == (compressed ? [8, 8] : [0, 0]))
        #expect(try npz.array("a").floats() == [1, 2, 3])
        #expect(try npz.array("b").shape == [10, 100])
    }

    @Test func malformedArchivesAreRejectedWithTheirKind() throws {
        let archive = ZipArchive.encode([("a.npy", NPYArray.encode(float32: [1, 2, 3], shape: [3]))],
                                        compress: true)
        expectDatasetError(.badMagic("zip (.npz)"), pathContains: "plain.npz") {
            _ = try NPZFile.read(from: write(Data("not a zip archive".utf8), "plain.npz", in: directory))
        }
        // Cut short: the central directory at the end is gone.
        expectDatasetError(.truncatedArchive, pathContains: "cut.npz") {
            _ = try NPZFile.read(from: write(archive.prefix(archive.count - 30), "cut.npz", in: directory))
        }
        // A member's data damaged: the CRC check (or inflate) catches it.
        var damaged = archive
        damaged[40] ^= 0x55
        let npz = try NPZFile.read(from: write(damaged, "damaged.npz", in: directory))
        do {
            _ = try npz.array("a")
            Issue.record("damaged member accepted")
        } catch let error as DatasetError {
            #expect(error.path.contains("damaged.npz (member a.npy)"))
            switch error.kind {
            case .corruptCompressedData, .truncatedCompressedStream: break
            default: Issue.record("wrong kind \(error)")
            }
        }
        // A member that is not an .npy image.
        let notNPY = ZipArchive.encode([("a.npy", Data("text".utf8))], compress: false)
        expectDatasetError(.truncated(expected: 10, actual: 4), pathContains: "(member a.npy)") {
            _ = try NPZFile.read(from: write(notNPY, "notnpy.npz", in: directory)).array("a")
        }
    }
}
