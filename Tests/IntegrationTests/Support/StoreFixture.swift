import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ

/// An isolated copy of a store for one test: its own ClickHouse database or Postgres schema, with the
/// generated migrations of `sql/<store>/` applied, and readers for the totals tests compare against.
struct StoreFixture {
    let kind: StoreKind
    /// A DSN that points at the isolated database/schema.
    let dsn: String
    let name: String

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The statements of `sql/<store>/NNNN_*.sql`, in order, split by the same rule the migrate job uses.
    static func migrationStatements(_ kind: StoreKind) throws -> [String] {
        let dir = repositoryRoot.appendingPathComponent("sql").appendingPathComponent(kind.rawValue)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") && $0.first?.isNumber == true }.sorted()
        var statements: [String] = []
        for file in files {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            statements += MigrationScript.statements(in: text)
        }
        return statements
    }

    /// `migrated: false` leaves the database (schema) empty, for a test that migrates it through
    /// `projection-migrate apply`, with its ledger, as a deployment does.
    static func make(_ kind: StoreKind, prefix: String = "it", migrated: Bool = true) async throws -> StoreFixture {
        let name = DevStack.uniqueName(prefix)
        switch kind {
        case .clickhouse:
            let admin = try ClickHouseClient(dsn: DevStack.clickhouseDSN)
            try await admin.execute("CREATE DATABASE IF NOT EXISTS \(name)")
            var components = URLComponents(string: DevStack.clickhouseDSN)!
            components.path = "/\(name)"
            let fixture = StoreFixture(kind: kind, dsn: components.string!, name: name)
            let client = try ClickHouseClient(dsn: fixture.dsn)
            if migrated { for statement in try migrationStatements(kind) { try await client.execute(statement) } }
            return fixture
        case .postgres:
            let admin = try await PostgresConnection.connect(dsn: DevStack.postgresDSN)
            defer { admin.close() }
            try await admin.execute("CREATE SCHEMA \(name)")
            let separator = DevStack.postgresDSN.contains("?") ? "&" : "?"
            let fixture = StoreFixture(kind: kind, dsn: DevStack.postgresDSN + "\(separator)options=-csearch_path%3D\(name)", name: name)
            let connection = try await PostgresConnection.connect(dsn: fixture.dsn)
            defer { connection.close() }
            if migrated { for statement in try migrationStatements(kind) { try await connection.execute(statement) } }
            return fixture
        }
    }

    func drop() async {
        await DevStack.dropIsolated(kind, name: name)
    }

    /// Rows of a query as text fields (TabSeparated on ClickHouse; text on Postgres).
    func rows(_ clickhouseSQL: String, postgres postgresSQL: String) async throws -> [[String]] {
        switch kind {
        case .clickhouse:
            let client = try ClickHouseClient(dsn: dsn)
            let text = try await client.query(clickhouseSQL + " FORMAT TabSeparated").text
            return text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        case .postgres:
            let connection = try await PostgresConnection.connect(dsn: dsn)
            defer { connection.close() }
            let result = try await connection.query(postgresSQL)
            return result.map { row in (0..<result.columns.count).map { row[$0] ?? "" } }
        }
    }

    /// tenant → day → totals, as the store has them (`suffix`: another generation, e.g. `__previous`).
    func dailyTotals(suffix: String = "") async throws -> [String: [String: FactCorpus.DayTotals]] {
        let rows = try await rows(
            "SELECT tenant_id, toString(day), sum(order_count), sum(gross_cents), sum(refund_cents) FROM daily_sales\(suffix) GROUP BY tenant_id, day",
            postgres: "SELECT tenant_id, to_char(day, 'YYYY-MM-DD'), order_count, gross_cents, refund_cents FROM daily_sales\(suffix)")
        var result: [String: [String: FactCorpus.DayTotals]] = [:]
        for r in rows {
            result[r[0], default: [:]][r[1]] = FactCorpus.DayTotals(orderCount: Int64(r[2])!, grossCents: Int64(r[3])!, refundCents: Int64(r[4])!)
        }
        return result
    }

    /// tenant → order id → order, latest version.
    func orders(suffix: String = "") async throws -> [String: [String: FactCorpus.Order]] {
        let rows = try await rows(
            "SELECT tenant_id, order_id, customer_id, amount_cents, currency, formatDateTime(placed_at, '%Y-%m-%dT%H:%i:%SZ', 'UTC') FROM orders\(suffix) FINAL",
            postgres: "SELECT tenant_id, order_id, customer_id, amount_cents, currency, to_char(placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM orders\(suffix)")
        var result: [String: [String: FactCorpus.Order]] = [:]
        for r in rows {
            result[r[0], default: [:]][r[1]] = FactCorpus.Order(customerID: r[2], amountCents: Int64(r[3])!, currency: r[4], placedAt: r[5])
        }
        return result
    }

    /// (consumer, partition, sequence) of the live namespace's quarantine entries, sorted; on ClickHouse
    /// after a forced merge, so entries that share a sort key would have collapsed into one.
    func quarantineKeys() async throws -> [QuarantineKey] {
        if kind == .clickhouse {
            try await ClickHouseClient(dsn: dsn).execute("OPTIMIZE TABLE _projection_quarantine FINAL")
        }
        let rows = try await rows(
            "SELECT partition, stream_sequence, consumer FROM _projection_quarantine WHERE projection = 'orders-analytics'",
            postgres: "SELECT partition, stream_sequence, consumer FROM _projection_quarantine WHERE projection = 'orders-analytics'")
        return rows.compactMap { r in
            guard r.count == 3, let partition = Int(r[0]), let sequence = UInt64(r[1]) else { return nil }
            return QuarantineKey(partition: partition, sequence: sequence, consumer: r[2])
        }.sorted()
    }

    func quarantineCount() async throws -> Int {
        // The live namespace only: a rebuild keeps its own (and a kept previous generation) apart.
        let rows = try await rows("SELECT count() FROM (SELECT DISTINCT partition, stream_sequence, consumer FROM _projection_quarantine WHERE projection = 'orders-analytics')",
                                  postgres: "SELECT count(*) FROM _projection_quarantine WHERE projection = 'orders-analytics'")
        return Int(rows.first?.first ?? "0") ?? 0
    }
}
