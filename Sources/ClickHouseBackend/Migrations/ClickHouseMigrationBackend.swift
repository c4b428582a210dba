import ClickHouseHTTP
import Foundation
import Columnstore

/// Migrations on ClickHouse: DDL is not transactional, so progress is recorded after every
/// statement (see `ResumableFileRun`) and an interrupted file resumes where it stopped. The lock
/// is a leased claim row (see `ClickHouseMigrationLock`).
///
/// The ledger is append-only (plain MergeTree, one row per progress step, read with `argMax` by
/// `version` = statements applied), so it doubles as an audit trail of which run applied what.
public actor ClickHouseMigrationBackend: MigrationBackend {
    static let ledgerTable = "_projection_migrations"

    static let createLedger = """
        CREATE TABLE IF NOT EXISTS \(ledgerTable)
        (
            `file_name` String,
            `checksum` String,
            `statements_applied` UInt32,
            `statements_total` UInt32,
            `applied_at` DateTime64(3, 'UTC'),
            `applied_by` String,
            `version` UInt64,
            `schema_hash` String DEFAULT ''
        )
        ENGINE = MergeTree
        ORDER BY (file_name, version)
        """

    /// Ledgers created before the schema hash was recorded get the column on the next `apply`; their old rows read ''.
    static let addSchemaHash = "ALTER TABLE \(ledgerTable) ADD COLUMN IF NOT EXISTS `schema_hash` String DEFAULT ''"

    private let client: ClickHouseClient
    private let migrationLock: ClickHouseMigrationLock
    /// Called after each statement's progress is durable (test-only fault injection hooks in here).
    private let afterRecord: (@Sendable (Int) -> Void)?
    private var recordedInRun = 0

    public nonisolated let store = StoreKind.clickhouse
    public nonisolated let location: String

    /// - Parameters:
    ///   - dsn: the ClickHouse DSN; its database holds the ledger and the migrated tables.
    ///   - lease: the lock lease; a crashed run blocks others for at most this long.
    ///   - afterRecord: called with the number of statements recorded so far in this run, right
    ///     after each is durable; for fault injection in tests only.
    public init(dsn: String, lease: Duration = .seconds(30), afterRecord: (@Sendable (Int) -> Void)? = nil) throws {
        let parsed: ClickHouseDSN
        do {
            parsed = try ClickHouseDSN(parsing: dsn)
        } catch {
            throw MigrationError(.store, "\(error)")
        }
        // DDL such as a big ALTER may run long; the default 30 s request timeout is for queries.
        let client = ClickHouseClient(dsn: parsed, configuration: .init(requestTimeout: .seconds(3600), poolSize: 2))
        self.client = client
        self.location = parsed.redacted
        self.migrationLock = ClickHouseMigrationLock(client: client, lease: lease)
        self.afterRecord = afterRecord
    }

    public func readLedger() async throws -> [MigrationLedgerEntry] {
        try await storeCall("read the ledger") {
            let exists = try await client.query("EXISTS TABLE \(Self.ledgerTable) FORMAT TabSeparated").text
            guard exists.trimmingCharacters(in: .whitespacesAndNewlines) == "1" else { return [] }
            // `plan` and `status` only read, so an old ledger may still lack the column.
            let schemaHash = try await hasColumn("schema_hash", in: Self.ledgerTable) ? "argMax(schema_hash, version)" : "''"
            let response = try await client.query("""
                SELECT file_name AS name, argMax(checksum, version) AS sum, max(statements_applied) AS applied,
                       argMax(statements_total, version) AS total, toString(max(applied_at)) AS at,
                       argMax(applied_by, version) AS by, \(schemaHash) AS schema_hash
                FROM \(Self.ledgerTable)
                GROUP BY file_name
                ORDER BY file_name
                FORMAT JSONEachRow
                """, settings: ["output_format_json_quote_64bit_integers": "0"])
            let decoder = JSONDecoder()
            return try response.text.split(separator: "\n").map { line in
                let row = try decoder.decode(LedgerRow.self, from: Data(line.utf8))
                return MigrationLedgerEntry(
                    name: row.name, checksum: row.sum, statementsApplied: row.applied, statementsTotal: row.total,
                    appliedAt: row.at, appliedBy: row.by, schemaHash: row.schema_hash)
            }
        }
    }

    public func prepareLedger() async throws {
        try await storeCall("create the ledger") {
            try await client.execute(Self.createLedger)
            if try await !hasColumn("schema_hash", in: Self.ledgerTable) { try await client.execute(Self.addSchemaHash) }
            try await client.execute(ClickHouseMigrationLock.createTable)
            // A lock table from before claim epochs: add the column and the deduplication window together.
            if try await !hasColumn("epoch", in: ClickHouseMigrationLock.table) {
                for statement in ClickHouseMigrationLock.upgradeTable { try await client.execute(statement) }
            }
            if try await hasTableTTL(ClickHouseMigrationLock.table) { try await client.execute(ClickHouseMigrationLock.removeTTL) }
        }
    }

    private func hasTableTTL(_ table: String) async throws -> Bool {
        let text = try await client.query("""
            SELECT count() FROM system.tables
            WHERE database = currentDatabase() AND name = {table:String} AND position(create_table_query, ' TTL ') > 0
            FORMAT TabSeparated
            """, parameters: ["table": table]).text
        return text.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    private func hasColumn(_ column: String, in table: String) async throws -> Bool {
        let count = try await client.query("""
            SELECT count() FROM system.columns
            WHERE database = currentDatabase() AND table = {table:String} AND name = {column:String}
            FORMAT TabSeparated
            """, parameters: ["table": table, "column": column]).text
        return count.trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    public func withLock<T: Sendable>(
        timeout: Duration, onEvent: @escaping @Sendable (MigrationEvent) -> Void, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        // The body's own errors pass through as they are; only the lock's are store errors.
        let outcome = try await storeCall("take the lock") {
            try await migrationLock.withLock(timeout: timeout, onEvent: onEvent) { () async -> Result<T, any Error> in
                do { return .success(try await body()) } catch { return .failure(error) }
            }
        }
        return try outcome.get()
    }

    public func apply(_ migration: PlannedMigration, runID: String, onEvent: @escaping @Sendable (MigrationEvent) -> Void) async throws {
        guard let file = migration.file else { return }
        var run = ResumableFileRun(total: file.statements.count, recorded: migration.entry?.statementsApplied)
        let total = file.statements.count
        onEvent(.fileStarted(name: file.name, statements: total, resumingAt: migration.entry?.statementsApplied ?? 0))
        while true {
            switch run.step {
            case .recordStart:
                try await record(file, applied: 0, runID: runID, schemaHash: migration.schemaHash)
            case .execute(let index):
                try await migrationLock.checkHeld()
                do {
                    // A type change or a TTL materialisation is a mutation, run in the background unless
                    // asked to wait: the file is recorded applied only once it has run (and a failed
                    // conversion fails here, not for ever in system.mutations); on a cluster, on every replica.
                    try await client.execute(file.statements[index], settings: ["mutations_sync": "2", "alter_sync": "2"])
                } catch {
                    throw MigrationError(.statement, file: file.name, statement: index + 1, "\(error)")
                }
            case .record(let applied):
                try await record(file, applied: applied, runID: runID, schemaHash: migration.schemaHash)
                onEvent(.statementApplied(file: file.name, number: applied, total: total, recorded: true))
                recordedInRun += 1
                afterRecord?(recordedInRun)
            case .done:
                onEvent(.fileApplied(name: file.name, statements: total))
                return
            }
            run.advance()
        }
    }

    /// Nothing to close: the client holds no session, and `withLock` has withdrawn the claim.
    public func close() async {}

    private func record(_ file: MigrationFile, applied: Int, runID: String, schemaHash: String) async throws {
        try await storeCall("record progress of \(file.name)") {
            // The version is the applied count, so the furthest progress wins in the ledger.
            try await client.execute("""
                INSERT INTO \(Self.ledgerTable)
                    (file_name, checksum, statements_applied, statements_total, applied_at, applied_by, version, schema_hash)
                SELECT {file:String}, {checksum:String}, {applied:UInt32}, {total:UInt32}, now64(3, 'UTC'), {run:String}, {applied:UInt64},
                       {schema:String}
                """, parameters: [
                    "file": file.name, "checksum": file.checksum, "applied": String(applied),
                    "total": String(file.statements.count), "run": runID, "schema": schemaHash,
                ])
        }
    }

    /// Wraps client errors (already free of secrets) as `.store` errors.
    @discardableResult
    private func storeCall<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as MigrationError {
            throw error
        } catch {
            throw MigrationError(.store, "cannot \(what) on \(location): \(error)")
        }
    }

    private struct LedgerRow: Decodable {
        var name: String
        var sum: String
        var applied: Int
        var total: Int
        var at: String
        var by: String
        var schema_hash: String
    }
}
