import Foundation
@testable import DataSources
@testable import Imaging
import Testing
import TestSupport

@Suite(.requires(.ffmpeg))
struct FFmpegTests {
    /// A 2-second 10 fps `testsrc` clip (20 frames) of `width`×`height` in `folder`.
    private func testClip(_ folder: TemporaryFolder, _ name: String = "clip.avi",
                          width: Int = 64, height: Int = 48) throws -> URL {
        let url = folder.file(name)
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=\(width)x\(height):rate=10:duration=2",
                    "-c:v", "mpeg4", "-q:v", "2", url.path])
        return url
    }

    @Test func probesAndDecodesAGeneratedClip() throws {
        let folder = try TemporaryFolder()
        let clip = try testClip(folder)
        #expect(try FFmpeg.probeSize(clip) == (64, 48))
        let frames = try FFmpeg.decode(clip)
        #expect(frames.count == 20)
        #expect(frames.allSatisfy { $0.width == 64 && $0.height == 48 && $0.channels == 3 })
        // testsrc moves: consecutive frames differ.
        #expect(frames[0] != frames[1])
        let gray = try FFmpeg.decode(clip, options: .init(channels: 1, limit: 3))
        #expect(gray.count == 3 && gray[0].channels == 1)
        // ffmpeg's gray equals our BT.601 luma of its RGB up to rounding/chroma subsampling.
        let diff = zip(gray[0].bytes, frames[0].gray().bytes).map { abs(Int($0) - Int($1)) }
        #expect(Double(diff.reduce(0, +)) / Double(diff.count) < 6)
    }

    @Test func strideStartLimitAndResize() throws {
        let folder = try TemporaryFolder()
        let clip = try testClip(folder)
        let all = try FFmpeg.decode(clip)
        let picked = try FFmpeg.decode(clip, options: .init(start: 3, stride: 4))
        #expect(picked.count == 5)                      // frames 3, 7, 11, 15, 19
        #expect(picked[0] == all[3] && picked[1] == all[7] && picked[4] == all[19])
        let limited = try FFmpeg.decode(clip, options: .init(start: 1, stride: 2, limit: 4))
        #expect(limited.count == 4 && limited[3] == all[7])
        let small = try FFmpeg.decode(clip, options: .init(channels: 1, limit: 2, crop: .centerSquare,
                                                          resize: (16, 16)))
        #expect(small.count == 2 && small[0].width == 16 && small[0].height == 16 && small[0].channels == 1)
        let cropped = try FFmpeg.decode(clip, options: .init(limit: 1, crop: .center(width: 20, height: 10)))
        #expect(cropped[0] == all[0].centerCropped(width: 20, height: 10))
        // Early stop through the streaming interface.
        var seen = 0
        try FFmpeg.decode(clip, options: .init()) { _ in seen += 1; return seen < 2 }
        #expect(seen == 2)
    }

    @Test func decodesJPEGAndFrameSourceOfAVideo() throws {
        let folder = try TemporaryFolder()
        let jpeg = folder.file("still.jpg")
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=40x30", "-frames:v", "1", jpeg.path])
        let image = try ImageFile.read(jpeg)
        #expect(image.width == 40 && image.height == 30 && image.channels == 3)
        let clip = try testClip(folder, "clip.mp4", width: 32, height: 32)
        let frames = try FrameSource.load(clip, transform: FrameTransform(channels: 1, resize: (8, 8)), stride: 5)
        #expect(frames.count == 4 && frames.allSatisfy { $0.width == 8 && $0.channels == 1 })
    }

    @Test func clearErrors() throws {
        let folder = try TemporaryFolder()
        // Not a video: ffmpeg's complaint is passed on with the file name.
        let junk = folder.file("junk.avi")
        try Data("this is not a video".utf8).write(to: junk)
        do {
            _ = try FFmpeg.decode(junk)
            Issue.record("decoded junk")
        } catch let error as ImagingError {
            guard case .decodeFailed(let path, let stderr) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == junk.path && !stderr.isEmpty)
            #expect("\(error)".contains("junk.avi"))
        }
        #expect(throws: ImagingError.io(path: folder.file("none.mp4").path, reason: "no such file")) {
            try FFmpeg.decode(folder.file("none.mp4"))
        }
        // A crop larger than the frame is refused before ffmpeg runs.
        let clip = try testClip(folder, width: 32, height: 24)
        #expect(throws: ImagingError.self) { try FFmpeg.decode(clip, options: .init(crop: .center(width: 40, height: 10))) }
    }

    @Test func missingToolSaysHowToInstallIt() {
        #expect(throws: ImagingError.ffmpegMissing(tool: "ffmpeg-not-installed")) {
            try FFmpeg.run("ffmpeg-not-installed", [])
        }
        #expect(ImagingError.ffmpegMissing(tool: "ffmpeg").description.contains("apt-get install ffmpeg"))
    }

    /// The real walking-people clip from Debian's opencv-doc (768×576, 795 frames).
    @Test(.requires(.opencvClip))
    func decodesVtest() throws {
        let url = URL(fileURLWithPath: vtestPath)
        #expect(try FFmpeg.probeSize(url) == (768, 576))
        let frames = try FFmpeg.decode(url, options: .init(channels: 1, start: 100, stride: 2, limit: 10,
                                                           crop: .centerFraction(0.5), resize: (64, 64)))
        #expect(frames.count == 10)
        #expect(frames.allSatisfy { $0.width == 64 && $0.height == 64 && $0.channels == 1 })
        // People walk: the frames are neither blank nor all the same.
        let mean = Double(frames[0].bytes.reduce(0) { $0 + Int($1) }) / 4096
        #expect(mean > 20 && mean < 235)
        #expect(frames[0] != frames[9])
    }
}

@Suite struct ImageFolderTests {
    @Test func ordersNaturallyAndSkipsOtherFiles() throws {
        let folder = try TemporaryFolder()
        // Frame k is filled with value 10·k; written in scrambled order.
        for k in [10, 1, 2, 9, 0, 11] {
            try PNG.write(Image(width: 6, height: 4, channels: 1, fill: .gray(UInt8(10 * k))),
                          to: folder.file("frame_\(k).png"))
        }
        try Data("notes".utf8).write(to: folder.file("README.txt"))
        try Data().write(to: folder.file(".hidden.png"))
        let sequence = try ImageFolderSequence(directory: folder.url)
        #expect(sequence.files.map(\.lastPathComponent)
                == ["frame_0.png", "frame_1.png", "frame_2.png", "frame_9.png", "frame_10.png", "frame_11.png"])
        let frames = try sequence.load()
        #expect(frames.map { $0.bytes[0] } == [0, 10, 20, 90, 100, 110])
        let some = try sequence.load(start: 1, stride: 2, limit: 2)
        #expect(some.map { $0.bytes[0] } == [10, 90])
        let resized = try ImageFolderSequence(directory: folder.url,
            transform: FrameTransform(channels: 3, crop: .centerSquare, resize: (8, 8))).load(limit: 1)
        #expect(resized[0].width == 8 && resized[0].height == 8 && resized[0].channels == 3)
        #expect(try FrameSource.load(folder.url).count == 6)
    }

    @Test func sizeMismatchNamesTheOddFile() throws {
        let folder = try TemporaryFolder()
        for k in 0..<4 {
            try PNG.write(Image(width: k == 2 ? 7 : 6, height: 4, channels: 1), to: folder.file("\(k).png"))
        }
        do {
            _ = try ImageFolderSequence(directory: folder.url).load()
            Issue.record("mixed sizes accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("2.png") && message.contains("7×4") && message.contains("6×4"), "\(message)")
        }
    }

    @Test func emptyAndMissingFolders() throws {
        let folder = try TemporaryFolder()
        #expect(throws: ImagingError.self) { try ImageFolderSequence(directory: folder.url) }
        #expect(throws: ImagingError.self) { try ImageFolderSequence(directory: folder.file("nope")) }
        // A corrupt frame is reported with its name.
        try PNG.write(Image(width: 2, height: 2, channels: 1), to: folder.file("a1.png"))
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]).write(to: folder.file("a2.png"))
        #expect { try ImageFolderSequence(directory: folder.url).load() } throws: { error in
            "\(error)".contains("a2.png") && "\(error)".contains("truncated")
        }
    }

    @Test(.requires(.ffmpeg))
    func jpegFolderThroughFFmpeg() throws {
        let folder = try TemporaryFolder()
        try ffmpeg(["-f", "lavfi", "-i", "testsrc=size=24x16:rate=10:duration=0.5",
                    folder.file("img%d.jpg").path])   // img1.jpg … img5.jpg
        try PNG.write(Image(width: 24, height: 16, channels: 3), to: folder.file("img6.png"))
        let frames = try ImageFolderSequence(directory: folder.url, transform: FrameTransform(channels: 1)).load()
        #expect(frames.count == 6 && frames.allSatisfy { $0.width == 24 && $0.channels == 1 })
        #expect(frames[5].bytes.allSatisfy { $0 == 0 })
    }
}
