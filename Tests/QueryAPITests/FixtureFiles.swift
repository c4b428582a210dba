import Foundation
import Testing

/// The compiled fixture protos live beside the Columnstore tests (dev/generate.sh writes them there).
enum FixtureFiles {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/ColumnstoreTests/Fixtures")

    static func bytes(_ relative: String) throws -> [UInt8] {
        let data = try #require(FileManager.default.contents(atPath: fixtures.appendingPathComponent(relative).path), "missing fixture \(relative)")
        return [UInt8](data)
    }
}
