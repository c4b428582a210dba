import Foundation
import Testing

/// Choosing a backend happens in one place (`StoreBackends.StoreBackend`): the executables' modules never
/// import a backend module, so a new backend or a changed constructor is one edit. No I/O but reading sources.
@Suite("Backend chosen in one place")
struct BackendChoiceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test("Ingest, IngestMain, QueryAPI and Migrate import neither ClickHouseBackend nor PostgresBackend")
    func executablesImportNoBackend() throws {
        let pattern = try NSRegularExpression(pattern: #"^\s*(@testable\s+)?(public\s+|internal\s+|package\s+)?import\s+(ClickHouseBackend|PostgresBackend)\b"#, options: .anchorsMatchLines)
        var offenders: [String] = []
        var scanned = 0
        for module in ["Ingest", "IngestMain", "QueryAPI", "Migrate"] {
            let root = Self.repository.appendingPathComponent("Sources/\(module)")
            let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
            for case let file as URL in files where file.pathExtension == "swift" {
                scanned += 1
                let text = try String(contentsOf: file, encoding: .utf8)
                if pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
                    offenders.append(file.path.replacingOccurrences(of: Self.repository.path + "/", with: ""))
                }
            }
        }
        #expect(scanned > 50, "the sources were not found at \(Self.repository.path)")
        #expect(offenders.isEmpty, "choose the backend through StoreBackends.StoreBackend instead: \(offenders.sorted())")
    }
}
