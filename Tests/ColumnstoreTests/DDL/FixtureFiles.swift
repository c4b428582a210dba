import Foundation
import Testing

/// Locates fixtures and golden files next to the tests.
///
/// Set `PROJECTION_UPDATE_GOLDEN=1` to rewrite golden files instead of comparing
/// (then review the diff).
enum FixtureFiles {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let isUpdating = ProcessInfo.processInfo.environment["PROJECTION_UPDATE_GOLDEN"] == "1"

    static func path(_ relative: String) -> String {
        fixtures.appendingPathComponent(relative).path
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        let data = try #require(FileManager.default.contents(atPath: path(relative)), "missing fixture \(relative)")
        return [UInt8](data)
    }

    /// Compares `contents` with `golden/<relative>` byte for byte (or rewrites it when updating).
    static func expectGolden(_ contents: String, _ relative: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = fixtures.appendingPathComponent("golden").appendingPathComponent(relative)
        if isUpdating {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
            return
        }
        let data = try #require(FileManager.default.contents(atPath: url.path), "missing golden file \(relative)", sourceLocation: sourceLocation)
        let expected = String(decoding: data, as: UTF8.self)
        #expect(contents == expected, "\(relative) differs from the golden file", sourceLocation: sourceLocation)
    }
}
