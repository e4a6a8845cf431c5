import Foundation
import Testing

/// The library's article shows the program the build compiles, not a copy that can drift.
@Suite struct DocumentationTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func theArticleShowsTheCompiledSnippetUnchanged() throws {
        let article = try String(contentsOf: Self.repository.appendingPathComponent(
            "Sources/Experiments/Experiments.docc/TrainOnYourOwnFrames.md"), encoding: .utf8)
        let snippet = try String(contentsOf: Self.repository.appendingPathComponent(
            "Snippets/TrainOnYourOwnFrames.swift"), encoding: .utf8)
        let blocks = article.components(separatedBy: "```swift\n").dropFirst()
            .map { $0.components(separatedBy: "```").first ?? "" }
        #expect(blocks.count == 1)
        #expect(blocks.first == snippet)
    }
}
