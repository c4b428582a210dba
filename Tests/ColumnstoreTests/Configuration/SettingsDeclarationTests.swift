import Columnstore
import Foundation
@testable import Ingest
@testable import Migrate
@testable import QueryAPI
import Testing

/// Settings are declared once per executable (`IngestSettings`, `QuerySettings`, `MigrateSettings`): these tests fail when
/// the parser reads a setting that is not declared, a declared one is never read, the docs table is
/// stale, or the docs name a setting nothing declares.
@Suite("Settings declared once")
struct SettingsDeclarationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// Named in the docs but read by something other than the three executables' configurations.
    static let readElsewhere: Set<String> = [
        "PROJECTION_BUILD_COMMIT",           // baked into the image (BuildInfo)
        "PROJECTION_POSTGRES_DSN", "PROJECTION_CLICKHOUSE_DSN", // printed by `dev/stack env` for tests and benchmarks
        "PROJECTION_WRITE_SETTINGS_DOC",     // this test's own switch
        "PROJECTION_CHAOS", "PROJECTION_CLUSTER_FAULTS", "PROJECTION_CLUSTER_ORDERS", "PROJECTION_CLUSTER_REPLICA_FAULTS", // switches of the chaos and cluster fault tests
        "PROJECTION_NATS_PUBLISH_PROBE", "PROJECTION_NATS_PUBLISH_PROBE_FAULTS", // the on-demand nats-server probe
    ]

    static func reads(_ parse: (SettingsSource) throws -> Void, _ environments: [[String: String]]) rethrows -> Set<String> {
        var names: Set<String> = [SettingsSource.configFileSetting] // read by SettingsSource.fromEnvironment itself
        for environment in environments {
            let log = SettingsReadLog()
            try parse(SettingsSource(values: environment, log: log))
            names.formUnion(log.read)
        }
        return names
    }

    @Test("projection-ingest reads exactly the settings it declares")
    func ingestReads() throws {
        let dsn = ["PROJECTION_STORE_DSN": "postgresql://u@h/d", "PROJECTION_STORE_KIND": "postgres_table"]
        let ingress = dsn.merging(["PROJECTION_INGRESS": "true", "PROJECTION_INGRESS_TOKENS": "producer-token-0123456789=t1:*"]) { $1 }
        let names = try Self.reads({ _ = try IngestConfiguration(settings: $0) }, [dsn, dsn.merging(["PROJECTION_PARTITIONS": "3"]) { $1 }, ingress])
        #expect(names == Set(IngestSettings.all.map(\.name)))
        #expect(IngestSettings.all.count == Set(IngestSettings.all.map(\.name)).count, "a setting is listed twice")
    }

    @Test("projection-query reads exactly the settings it declares")
    func queryReads() throws {
        let names = try Self.reads({ _ = try QueryConfiguration(settings: $0) }, [["PROJECTION_STORE_DSN": "http://u@h:8123/d"]])
        #expect(names == Set(QuerySettings.all.map(\.name)))
        #expect(QuerySettings.all.count == Set(QuerySettings.all.map(\.name)).count, "a setting is listed twice")
    }

    @Test("projection-migrate reads exactly the settings it declares")
    func migrateReads() throws {
        let names = try Self.reads({ _ = try MigrateEnvironment(settings: $0) }, [[:], ["PROJECTION_PARTITIONS": "3"]])
        #expect(names == Set(MigrateSettings.all.map(\.name)))
        #expect(MigrateSettings.all.count == Set(MigrateSettings.all.map(\.name)).count, "a setting is listed twice")
        let defaults = try MigrateEnvironment(settings: SettingsSource(values: [:]))
        #expect(defaults.storeKind == .clickhouse && defaults.storeDSN == nil && defaults.projection == "orders-analytics")
        #expect(defaults.partitions == nil && defaults.crashAfterStatements == 0 && defaults.live.live.consumer == "projection-orders-analytics")
        #expect(throws: ConfigurationError.self) { try MigrateEnvironment(settings: SettingsSource(values: ["PROJECTION_LEASE_TTL_MS": "5", "PROJECTION_PARTITIONS": "2"])) }
    }

    @Test("declared defaults parse: an empty environment (but the DSN) gives the documented values")
    func defaults() throws {
        let ingest = try IngestConfiguration(settings: SettingsSource(values: ["PROJECTION_STORE_DSN": "http://u@h:8123/d"]))
        #expect(ingest.fetchBatch == 500 && ingest.batching.maxFacts == 5_000 && ingest.batching.maxBytes == 8 << 20)
        #expect(ingest.storeKind == .clickhouse && ingest.httpPort == 8081 && ingest.logLevel == .info && ingest.partitions == nil)
        #expect(ingest.freshness.maxLagFacts == nil && ingest.tenantSubjectToken == nil)
        let query = try QueryConfiguration(settings: SettingsSource(values: ["PROJECTION_STORE_DSN": "http://u@h:8123/d"]))
        #expect(query.httpPort == 8080 && query.maxBodyBytes == 65_536 && query.maxConcurrency == 16)
    }

    static func renderedDocument() -> String {
        """
        # Settings

        Every setting of the three executables, generated from their declarations (`IngestSettings`, `QuerySettings`,
        `MigrateSettings`); `--help` shows the same lists. A test fails when this file, the declarations and what the
        executables read differ: regenerate it with `PROJECTION_WRITE_SETTINGS_DOC=1 swift test --filter "Settings declared once"`.
        Values come from the environment, over an optional `PROJECTION_CONFIG_FILE` of `NAME=value` lines; an
        invalid value stops the process with a message naming the setting. `projection-migrate` takes its
        per-invocation options as flags (`projection-migrate <command> --help`); a flag naming the same thing as
        a setting wins.

        ## projection-ingest

        \(IngestSettings.all.markdownTable)
        ## projection-query

        \(QuerySettings.all.markdownTable)
        ## projection-migrate

        \(MigrateSettings.all.markdownTable)
        """
    }

    @Test("docs/SETTINGS.md is the declarations' table")
    func document() throws {
        let url = Self.repository.appendingPathComponent("docs/SETTINGS.md")
        let expected = Self.renderedDocument()
        if ProcessInfo.processInfo.environment["PROJECTION_WRITE_SETTINGS_DOC"] == "1" {
            try expected.write(to: url, atomically: true, encoding: .utf8)
        }
        let committed = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        #expect(committed == expected, "docs/SETTINGS.md is stale: PROJECTION_WRITE_SETTINGS_DOC=1 swift test --filter \"Settings declared once\"")
    }

    @Test("every setting the README and docs name is declared")
    func documentedNames() throws {
        let declared = Set(IngestSettings.all.map(\.name) + QuerySettings.all.map(\.name) + MigrateSettings.all.map(\.name)).union(Self.readElsewhere)
        var files = [Self.repository.appendingPathComponent("README.md")]
        let docs = Self.repository.appendingPathComponent("docs")
        files += try FileManager.default.contentsOfDirectory(at: docs, includingPropertiesForKeys: nil).filter { $0.pathExtension == "md" }
        let pattern = try NSRegularExpression(pattern: "PROJECTION_[A-Z][A-Z0-9_]*[A-Z0-9]")
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let names = Set(pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) })
            let unknown = names.subtracting(declared)
            #expect(unknown.isEmpty, "\(file.lastPathComponent) names undeclared settings: \(unknown.sorted())")
        }
    }
}
