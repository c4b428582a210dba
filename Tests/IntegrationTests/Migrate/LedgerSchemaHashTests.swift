import ClickHouseHTTP
import Columnstore
import Foundation
import Testing

/// The migrate ledger's `schema_hash`: `apply` records the SHA-256 of `schema.lock.json` (the `BuildInfo` schema
/// hash), adds the column to a ledger created before it (old rows keep ''), and `status` shows it; `status` reads
/// an old ledger without changing it.
@Suite("Migrate ledger schema hash", .serialized)
struct LedgerSchemaHashTests {
    /// The ledger as projection-migrate created it before `schema_hash`, with one row of an applied file.
    static func createOldLedger(_ sandbox: MigrationSandbox) async throws {
        switch sandbox.kind {
        case .clickhouse:
            let client = try ClickHouseClient(dsn: sandbox.dsn)
            try await client.execute("""
                CREATE TABLE _projection_migrations (`file_name` String, `checksum` String, `statements_applied` UInt32,
                    `statements_total` UInt32, `applied_at` DateTime64(3, 'UTC'), `applied_by` String, `version` UInt64)
                ENGINE = MergeTree ORDER BY (file_name, version)
                """)
            try await client.execute("""
                INSERT INTO _projection_migrations VALUES ('0000_before.sql', 'c0ffee', 1, 1, now64(3, 'UTC'), 'run-old', 1)
                """)
        case .postgres:
            _ = try await sandbox.rows("""
                CREATE TABLE _projection_migrations (file_name text PRIMARY KEY, checksum text NOT NULL,
                    statements_applied integer NOT NULL, statements_total integer NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL)
                """)
            _ = try await sandbox.rows("INSERT INTO _projection_migrations VALUES ('0000_before.sql', 'c0ffee', 1, 1, now(), 'run-old')")
        }
    }

    static func hasSchemaHashColumn(_ sandbox: MigrationSandbox) async throws -> Bool {
        try await sandbox.columnNames("_projection_migrations").contains("schema_hash")
    }

    @Test("an old ledger gets the column from apply; new files record the lock's hash; status shows it", arguments: [StoreKind.clickhouse, .postgres])
    func oldLedgerUpgraded(kind: StoreKind) async throws {
        try await MigrationSandbox.with(kind) { sandbox in
            try await Self.createOldLedger(sandbox)

            // Read-only commands work on the old ledger and leave it as it is.
            let before = try await sandbox.migrate("status")
            #expect(before.status == 0, "\(before.all)")
            #expect(before.output.contains("missing   0000_before.sql"), "\(before.all)")
            #expect(before.output.contains("status: schema hash unknown"), "\(before.all)")
            #expect(try await Self.hasSchemaHashColumn(sandbox) == false, "status must not alter the ledger")

            let lock = StoreFixture.repositoryRoot.appendingPathComponent("sql/\(kind.rawValue)/\(SchemaSnapshot.fileName)")
            try FileManager.default.copyItem(at: lock, to: sandbox.migrationDirectory.appendingPathComponent(SchemaSnapshot.fileName))
            let expected = BuildInfo.schemaHash(.ordersAnalytics, store: kind)
            #expect(MigrationRunner.schemaLockHash(directory: sandbox.migrationDirectory.path) == expected,
                    "sql/\(kind.rawValue)/schema.lock.json is the built-in schema's (dev/generate.sh --check)")

            let apply = try await sandbox.migrate("apply")
            #expect(apply.status == 0, "\(apply.all)")
            #expect(try await Self.hasSchemaHashColumn(sandbox))
            let sql = kind == .clickhouse
                ? "SELECT file_name, argMax(schema_hash, version) FROM _projection_migrations GROUP BY file_name ORDER BY file_name"
                : "SELECT file_name, schema_hash FROM _projection_migrations ORDER BY file_name"
            let files = try sandbox.files().map(\.name)
            #expect(try await sandbox.rows(sql) == [["0000_before.sql", ""]] + files.map { [$0, expected] })

            let status = try await sandbox.migrate("status")
            #expect(status.status == 0, "\(status.all)")
            #expect(status.output.contains("status: schema hash \(expected) (recorded with \(files.last!))"), "\(status.all)")
            #expect(status.output.contains("status: schema.lock.json matches the store"), "\(status.all)")
            #expect(status.output.contains("schema \(expected.prefix(12))"), "per-file lines show the hash: \(status.all)")

            // A second apply has nothing to do and does not alter the ledger again.
            let again = try await sandbox.migrate("apply")
            #expect(again.output.contains("nothing to apply"), "\(again.all)")

            // A lock that moved on (generated, not yet applied) is reported as not matching.
            try Data("{}\n".utf8).write(to: sandbox.migrationDirectory.appendingPathComponent(SchemaSnapshot.fileName))
            let stale = try await sandbox.migrate("status")
            #expect(stale.output.contains("the store is not migrated to it"), "\(stale.all)")
        }
    }
}
