import Foundation
import LibPQ
import Columnstore

/// Migrations on Postgres: DDL is transactional, so each file runs in one transaction together
/// with its ledger row; a crash leaves the file either applied and recorded, or untouched. The
/// lock is a session-level advisory lock held on the run's connection.
///
/// The ledger lives in the connection's current schema (`search_path`), and the advisory-lock key is
/// derived from that schema, so runs against different schemas of one database do not block each
/// other. Statements that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`) are not supported.
public actor PostgresMigrationBackend: MigrationBackend {
    static let ledgerTable = "_projection_migrations"

    static let createLedger = """
        CREATE TABLE IF NOT EXISTS \(ledgerTable) (
            file_name text PRIMARY KEY,
            checksum text NOT NULL,
            statements_applied integer NOT NULL,
            statements_total integer NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now(),
            applied_by text NOT NULL,
            schema_hash text NOT NULL DEFAULT ''
        )
        """

    /// Ledgers created before the schema hash was recorded get the column on the next `apply`; their old rows read ''.
    static let addSchemaHash = "ALTER TABLE \(ledgerTable) ADD COLUMN IF NOT EXISTS schema_hash text NOT NULL DEFAULT ''"

    private let dsn: String
    private var connection: PostgresConnection?
    private var lockKey: Int64?
    private let poll: Duration
    private let tableLocks: DDLLockPolicy

    public nonisolated let store = StoreKind.postgres
    public nonisolated let location: String

    public init(dsn: String, poll: Duration = .milliseconds(250), tableLocks: DDLLockPolicy = DDLLockPolicy()) {
        self.dsn = dsn
        self.location = PostgresDSN.redacted(dsn)
        self.poll = poll
        self.tableLocks = tableLocks
    }

    /// The advisory-lock key for a schema: the first 8 bytes of SHA-256("projection-migrate:<schema>").
    public static func lockKey(schema: String) -> Int64 {
        let digest = SHA256.digest(Array("projection-migrate:\(schema)".utf8))
        return Int64(bitPattern: digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    public func readLedger() async throws -> [MigrationLedgerEntry] {
        try await storeCall("read the ledger") { connection in
            let exists = try await connection.query("SELECT to_regclass($1) IS NOT NULL AS present", [.text(Self.ledgerTable)])
            guard exists.single?.bool("present") == true else { return [] }
            // `plan` and `status` only read, so an old ledger may still lack the column.
            let schemaHash = try await Self.hasSchemaHashColumn(connection) ? "schema_hash" : "''::text AS schema_hash"
            let rows = try await connection.query("""
                SELECT file_name, checksum, statements_applied, statements_total,
                       to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS applied_at, applied_by, \(schemaHash)
                FROM \(Self.ledgerTable) ORDER BY file_name
                """)
            return rows.map { row in
                MigrationLedgerEntry(
                    name: row["file_name"] ?? "", checksum: row["checksum"] ?? "",
                    statementsApplied: Int(row.int64("statements_applied") ?? 0),
                    statementsTotal: Int(row.int64("statements_total") ?? 0),
                    appliedAt: row["applied_at"] ?? "", appliedBy: row["applied_by"] ?? "", schemaHash: row["schema_hash"] ?? "")
            }
        }
    }

    public func prepareLedger() async throws {
        try await storeCall("create the ledger") { connection in
            do {
                try await connection.execute(Self.createLedger)
            } catch let error as PostgresError where error.sqlState == "23505" || error.sqlState == "42P07" {
                // Two first runs raced on CREATE TABLE IF NOT EXISTS (a catalog unique violation); it exists now.
            }
            guard try await !Self.hasSchemaHashColumn(connection) else { return }
            do {
                try await connection.execute(Self.addSchemaHash)
            } catch let error as PostgresError where error.sqlState == "23505" || error.sqlState == "42701" {
                // Two runs raced on ADD COLUMN IF NOT EXISTS; it exists now.
            }
        }
    }

    private static func hasSchemaHashColumn(_ connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("""
            SELECT count(*) AS n FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'schema_hash'
            """, [.text(ledgerTable)])
        return rows.single?.int64("n") == 1
    }

    public func withLock<T: Sendable>(
        timeout: Duration, onEvent: @escaping @Sendable (MigrationEvent) -> Void, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        // The advisory lock lives with the session: nothing needs to run beside the body.
        try await lock(timeout: timeout, onEvent: onEvent)
        do {
            let result = try await body()
            await unlock()
            return result
        } catch {
            await unlock()
            throw error
        }
    }

    private func lock(timeout: Duration, onEvent: @escaping @Sendable (MigrationEvent) -> Void) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        try await storeCall("take the lock") { connection in
            let schema = try await connection.query("SELECT current_schema() AS schema").single?["schema"] ?? "public"
            let key = Self.lockKey(schema: schema)
            var announced = false
            // Polls with pg_try_advisory_lock: a blocking pg_advisory_lock could not honour the timeout.
            while try await !connection.tryAdvisoryLock(key) {
                if !announced {
                    onEvent(.waitingForLock(holder: "pg_advisory_lock(\(key)) on schema \(schema)"))
                    announced = true
                }
                guard clock.now < deadline else {
                    throw MigrationError(
                        .lockTimeout,
                        "another projection-migrate run holds the advisory lock for schema \(schema); gave up after \(timeout) — retry once it has finished")
                }
                try await clock.sleep(for: poll)
            }
            lockKey = key
            onEvent(.lockAcquired)
        }
    }

    private func unlock() async {
        guard let key = lockKey, let connection else { return }
        lockKey = nil
        _ = try? await connection.advisoryUnlock(key)
    }

    /// Applies one file in one transaction. Every statement waits at most `tableLocks.attempt` for a
    /// table lock (`lock_timeout`): an `ALTER TABLE` queued behind a long query would otherwise make every
    /// later query of that table (the query API's, the ingest's) queue behind it for as long as that query
    /// runs. A file that timed out is rolled back whole and tried again until `tableLocks.total` has passed.
    public func apply(_ migration: PlannedMigration, runID: String, onEvent: @escaping @Sendable (MigrationEvent) -> Void) async throws {
        guard let file = migration.file else { return }
        let total = file.statements.count
        onEvent(.fileStarted(name: file.name, statements: total, resumingAt: 0))
        let clock = ContinuousClock()
        let deadline = clock.now + tableLocks.total
        var attempt = 1
        while true {
            do {
                try await applyOnce(file, schemaHash: migration.schemaHash, runID: runID, onEvent: onEvent)
                break
            } catch let waited as TableLockConflict {
                let pause = tableLocks.pause(afterAttempt: attempt)
                guard clock.now + pause < deadline else {
                    throw MigrationError(
                        .lockTimeout, file: file.name, statement: waited.statement,
                        "another session holds a lock on a table this statement changes (see pg_locks and pg_stat_activity); "
                            + "gave up after \(attempt) attempt(s) of \(tableLocks.attempt) each within \(tableLocks.total) — the file was rolled back; retry once that session is done")
                }
                onEvent(.waitingForTableLock(file: file.name, statement: waited.statement, attempt: attempt))
                try await clock.sleep(for: pause)
                attempt += 1
            }
        }
        onEvent(.fileApplied(name: file.name, statements: total))
    }

    /// A statement gave up waiting for a table lock (SQLSTATE 55P03 under `lock_timeout`), or was the
    /// side Postgres aborted to end a deadlock (40P01).
    private struct TableLockConflict: Error {
        let statement: Int
    }

    private func applyOnce(_ file: MigrationFile, schemaHash: String, runID: String, onEvent: @escaping @Sendable (MigrationEvent) -> Void) async throws {
        let total = file.statements.count
        let connection = try await open()
        do {
            try await connection.transaction { connection in
                // For this transaction only; a whole number of milliseconds, at least 1 (0 would mean no limit).
                try await connection.execute("SET LOCAL lock_timeout = '\(max(1, tableLocks.attempt.wholeMilliseconds))ms'")
                for (index, statement) in file.statements.enumerated() {
                    do {
                        try await connection.execute(statement)
                    } catch let error as PostgresError where error.sqlState == "55P03" || error.sqlState == "40P01" {
                        // A lock wait that ran out, or a deadlock Postgres ended by aborting this side (a file
                        // that locks two tables in another order than a running ingest's batch): both leave
                        // nothing applied, and a later attempt gets the locks once the other side is done.
                        throw TableLockConflict(statement: index + 1)
                    } catch {
                        throw MigrationError(.statement, file: file.name, statement: index + 1, "\(error) (the file was rolled back)")
                    }
                    onEvent(.statementApplied(file: file.name, number: index + 1, total: total, recorded: false))
                }
                // A plain INSERT: a second run that somehow got past the lock fails here and rolls back.
                try await connection.query(
                    """
                    INSERT INTO \(Self.ledgerTable) (file_name, checksum, statements_applied, statements_total, applied_by, schema_hash)
                    VALUES ($1, $2, $3, $3, $4, $5)
                    """,
                    [.text(file.name), .text(file.checksum), .int64(Int64(total)), .text(runID), .text(schemaHash)])
            }
        } catch let error as MigrationError {
            throw error
        } catch let error as TableLockConflict {
            throw error
        } catch {
            throw MigrationError(.store, file: file.name, "cannot record \(file.name) on \(location) (the file was rolled back): \(error)")
        }
    }

    public func close() async {
        await unlock()
        connection?.close()
        connection = nil
    }

    private func open() async throws -> PostgresConnection {
        if let connection { return connection }
        do {
            let opened = try await PostgresConnection.connect(dsn: dsn)
            connection = opened
            return opened
        } catch {
            throw MigrationError(.store, "cannot connect to \(location): \(error)")
        }
    }

    private func storeCall<T>(_ what: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await open()
        do {
            return try await body(connection)
        } catch let error as MigrationError {
            throw error
        } catch {
            throw MigrationError(.store, "cannot \(what) on \(location): \(error)")
        }
    }
}
