import Foundation
import Testing
@testable import Columnstore

/// The metrics catalog: valid Prometheus names, one declaration each, help text everywhere, and the same
/// list as docs/OPERATIONS.md's metrics table.
@Suite("Metric catalog")
struct MetricCatalogTests {
    @Test("names are valid, unique and end as Prometheus conventions ask")
    func names() {
        let names = MetricCatalog.all.map(\.name)
        #expect(Set(names).count == names.count)
        for declaration in MetricCatalog.all {
            let name = declaration.name
            #expect(name.hasPrefix("projection_"), "\(name)")
            #expect(name.allSatisfy { ($0.isASCII && $0.isLowercase) || $0.isNumber || $0 == "_" }, "\(name)")
            // Counters end in _total; nothing else does. Gauges and histograms are not _total.
            #expect((declaration.kind == .counter) == name.hasSuffix("_total"), "\(name)")
            #expect(!declaration.help.isEmpty && declaration.help.last == ".", "\(name)")
            // The exposition escapes only \ and newline in help; keep texts free of both.
            #expect(!declaration.help.contains("\n") && !declaration.help.contains("\\"), "\(name)")
            #expect(MetricCatalog.help(name) == declaration.help)
        }
        #expect(MetricCatalog.help("projection_not_declared") == "")
        #expect(MetricCatalog.declaration("projection_not_declared") == nil)
    }

    @Test("docs/OPERATIONS.md's metrics table lists exactly the catalog, with the same types")
    func documented() throws {
        let text = try String(contentsOf: FixtureFiles.repositoryRoot.appendingPathComponent("docs/OPERATIONS.md"), encoding: .utf8)
        var documented: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `projection_") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            documented[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[1]
        }
        let declared = Dictionary(uniqueKeysWithValues: MetricCatalog.all.map { ($0.name, $0.kind.rawValue) })
        #expect(documented == declared)
    }
}
