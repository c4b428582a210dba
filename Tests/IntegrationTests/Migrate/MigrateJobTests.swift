import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

/// `projection-migrate plan | apply | status` as a deployment runs it: the real executable against the
/// dev stack, each test in its own ClickHouse database / Postgres schema.
@Suite("projection-migrate against the dev stack", .serialized)
struct MigrateJobTests {
    /// The dev stack's password must never be printed; it appears in DSNs as `user:password@`.
    static func expectNoPassword(_ outcome: MigrateProcess.Outcome) {
        #expect(!outcome.all.contains(":projection@"), "the DSN password leaked: \(outcome.all)")
    }

    @Test("apply on a fresh ClickHouse creates the orders-analytics tables with the annotated keys; a second apply is a no-op")
    func clickhouseFreshApply() async throws {
        try await MigrationSandbox.with(.clickhouse) { sandbox in
            let files = try sandbox.files()
            try #require(!files.isEmpty, "sql/clickhouse has no migrations")

            let plan = try await sandbox.migrate("plan")
            #expect(plan.status == 0, "\(plan.all)")
            #expect(plan.output.contains("apply     0001_"))
            Self.expectNoPassword(plan)

            let apply = try await sandbox.migrate("apply")
            #expect(apply.status == 0, "\(apply.all)")
            #expect(apply.output.contains("statement 1/"))
            Self.expectNoPassword(apply)

            let tables = Set(try await sandbox.rows("SELECT name FROM system.tables WHERE database = currentDatabase()").map { $0[0] })
            #expect(tables.isSuperset(of: ["orders", "daily_sales", "_projection_checkpoints", "_projection_seen_keys", "_projection_quarantine", "_projection_migrations"]))

            let orders = try await sandbox.rows("SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = 'orders'").first?.first ?? ""
            let showCreate = try await sandbox.rows("SHOW CREATE TABLE orders").first?.first ?? ""
            #expect(!showCreate.isEmpty)
            for text in [orders, showCreate.replacingOccurrences(of: "\\n", with: " ")] {
                #expect(text.contains("ReplacingMergeTree(_version)"), "\(text)")
                #expect(text.contains("PARTITION BY toYYYYMM(placed_at)"), "\(text)")
                #expect(text.contains("ORDER BY (tenant_id, order_id)"), "\(text)")
                #expect(text.contains("TTL placed_at + toIntervalDay(730)"), "\(text)")
            }
            // The TTL keeps a valid timestamp past 2106 (its `toDateTime` wrapped to 2013 and expired the row as
            // it was inserted) and still expires an old one, also when a merge applies it.
            let client = try ClickHouseClient(dsn: sandbox.dsn)
            try await client.execute("""
                INSERT INTO orders (tenant_id, order_id, customer_id, amount_cents, currency, placed_at, _version)
                VALUES ('t1', 'far', 'c', 1, 'EUR', '2150-01-01 00:00:00.000', 1), ('t1', 'old', 'c', 1, 'EUR', '2001-01-01 00:00:00.000', 1)
                """)
            try await client.execute("OPTIMIZE TABLE orders FINAL")
            #expect(try await sandbox.rows("SELECT order_id FROM orders ORDER BY order_id") == [["far"]])
            let daily = try await sandbox.rows("SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = 'daily_sales'").first?.first ?? ""
            #expect(daily.contains("SummingMergeTree"))
            #expect(daily.contains("ORDER BY (tenant_id, day)"))

            let ledger = try await sandbox.ledger()
            #expect(ledger.map { $0[0] } == files.map(\.name))
            #expect(ledger.map { $0[1] } == files.map(\.checksum))
            #expect(ledger.allSatisfy { $0[2] == $0[3] })
            let rawRows = try await sandbox.rows("SELECT count() FROM _projection_migrations").first?.first

            let again = try await sandbox.migrate("apply")
            #expect(again.status == 0, "\(again.all)")
            #expect(again.output.contains("nothing to apply"))
            #expect(!again.output.contains("statement 1/"))
            #expect(try await sandbox.rows("SELECT count() FROM _projection_migrations").first?.first == rawRows)

            let status = try await sandbox.migrate("status")
            #expect(status.status == 0, "\(status.all)")
            #expect(status.output.contains("applied   0001_"))
            #expect(status.output.contains("0 pending"))
        }
    }

    @Test("apply on a fresh Postgres schema creates the orders-analytics tables; a second apply is a no-op")
    func postgresFreshApply() async throws {
        try await MigrationSandbox.with(.postgres) { sandbox in
            let files = try sandbox.files()
            try #require(!files.isEmpty, "sql/postgres has no migrations")

            let apply = try await sandbox.migrate("apply")
            #expect(apply.status == 0, "\(apply.all)")
            Self.expectNoPassword(apply)

            let tables = Set(try await sandbox.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").map { $0[0] })
            #expect(tables.isSuperset(of: ["orders", "daily_sales", "_projection_checkpoints", "_projection_seen_keys", "_projection_quarantine", "_projection_migrations"]))
            let key = try await sandbox.rows("""
                SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey, a.attnum))
                FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = 'orders'::regclass AND i.indisprimary
                """)
            #expect(key.first?.first == "tenant_id,order_id")

            let ledger = try await sandbox.ledger()
            #expect(ledger.map { $0[0] } == files.map(\.name))
            #expect(ledger.map { $0[1] } == files.map(\.checksum))
            let appliedAt = try await sandbox.rows("SELECT applied_at::text FROM _projection_migrations ORDER BY file_name")

            let again = try await sandbox.migrate("apply")
            #expect(again.status == 0, "\(again.all)")
            #expect(again.output.contains("nothing to apply"))
            #expect(try await sandbox.rows("SELECT applied_at::text FROM _projection_migrations ORDER BY file_name") == appliedAt)

            let plan = try await sandbox.migrate("plan")
            #expect(plan.status == 0, "\(plan.all)")
            #expect(plan.output.contains("plan: nothing to apply"))
        }
    }

    @Test("two concurrent applies apply each migration exactly once", arguments: [StoreKind.clickhouse, .postgres])
    func concurrentApplies(kind: StoreKind) async throws {
        try await MigrationSandbox.with(kind) { sandbox in
            let files = try sandbox.files()
            try #require(!files.isEmpty)

            let first = try sandbox.start("apply")
            let second = try sandbox.start("apply")
            let outcomes = [await first.wait(), await second.wait()]
            for outcome in outcomes {
                #expect(outcome.status == 0, "\(outcome.all)")
                #expect(!outcome.error.contains("error"), "\(outcome.all)")
            }
            // One run applied everything; the other found nothing left once it held the lock.
            #expect(outcomes.filter { $0.output.contains("apply: applied \(files.count) file(s)") }.count == 1, "\(outcomes.map(\.all))")
            #expect(outcomes.filter { $0.output.contains("nothing to apply") }.count == 1, "\(outcomes.map(\.all))")

            let ledger = try await sandbox.ledger()
            #expect(ledger.map { $0[0] } == files.map(\.name))
            if kind == .clickhouse {
                // Per-statement progress rows: exactly one start row plus one per statement, all by one run.
                for file in files {
                    let rows = try await sandbox.rows("SELECT count(), uniqExact(applied_by) FROM _projection_migrations WHERE file_name = '\(file.name)'")
                    #expect(rows.first == ["\(file.statements.count + 1)", "1"], "\(file.name)")
                }
            }
        }
    }

    @Test("an edited applied migration is refused, naming the file", arguments: [StoreKind.clickhouse, .postgres])
    func editedMigrationRefused(kind: StoreKind) async throws {
        try await MigrationSandbox.with(kind) { sandbox in
            let first = try #require(try sandbox.files().first)

            let apply = try await sandbox.migrate("apply")
            #expect(apply.status == 0, "\(apply.all)")

            let path = sandbox.migrationDirectory.appendingPathComponent(first.name)
            let text = try String(contentsOf: path, encoding: .utf8)
            try Data((text + "\n-- an edit after it was applied\n").utf8).write(to: path)

            let again = try await sandbox.migrate("apply")
            #expect(again.status == 1, "\(again.all)")
            #expect(again.error.contains(first.name), "\(again.all)")
            #expect(again.error.contains("checksum"), "\(again.all)")
            Self.expectNoPassword(again)

            let plan = try await sandbox.migrate("plan")
            #expect(plan.status == 1, "\(plan.all)")
            #expect(plan.output.contains("MODIFIED  \(first.name)"))

            let status = try await sandbox.migrate("status")
            #expect(status.status == 0, "\(status.all)")
            #expect(status.output.contains("modified  \(first.name)"))
            // The ledger still holds the checksum of what was applied.
            #expect(try await sandbox.ledger().first?[1] == first.checksum)
        }
    }

    /// The quarantine table's shape as the server reports it: columns (name, type, default) and key.
    static func quarantineShape(_ sandbox: MigrationSandbox) async throws -> [[String]] {
        switch sandbox.kind {
        case .clickhouse:
            return try await sandbox.rows("""
                SELECT name, type, default_kind, default_expression FROM system.columns
                WHERE database = currentDatabase() AND table = '_projection_quarantine' ORDER BY position
                """)
                + sandbox.rows("SELECT sorting_key FROM system.tables WHERE database = currentDatabase() AND name = '_projection_quarantine'")
        case .postgres:
            return try await sandbox.rows("""
                SELECT column_name, data_type, is_nullable, coalesce(column_default, '') FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = '_projection_quarantine' ORDER BY ordinal_position
                """)
                + primaryKey(sandbox, of: "_projection_quarantine")
        }
    }

    /// A Postgres table's primary key: its constraint name and its columns in key order.
    static func primaryKey(_ sandbox: MigrationSandbox, of table: String) async throws -> [[String]] {
        try await sandbox.rows("""
            SELECT c.conname, string_agg(a.attname, ',' ORDER BY array_position(c.conkey, a.attnum))
            FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
            WHERE c.conrelid = '\(table)'::regclass AND c.contype = 'p' GROUP BY c.conname
            """)
    }

    @Test("a deployment migrated before the quarantine had a partition or a consumer upgrades through apply, keeping its entries",
          arguments: [StoreKind.clickhouse, .postgres])
    func quarantinePartitionUpgrade(kind: StoreKind) async throws {
        let fixtures = StoreFixture.repositoryRoot.appendingPathComponent("Tests/ColumnstoreTests/Fixtures")
        let frozen = try String(contentsOf: fixtures.appendingPathComponent("internal-v1/orders-analytics/\(kind.rawValue)/0001_initial.sql"), encoding: .utf8)
        // Every internal-table step the committed folder holds (the quarantine's: partition, then consumer).
        let committed = StoreFixture.repositoryRoot.appendingPathComponent("sql/\(kind.rawValue)")
        let upgrades = try FileManager.default.contentsOfDirectory(atPath: committed.path).filter { $0.contains("_internal_") }.sorted()
        #expect(upgrades.contains { $0.hasSuffix("_internal_quarantine_partition.sql") } && upgrades.contains { $0.hasSuffix("_internal_quarantine_consumer.sql") })
        let freshText = try String(contentsOf: fixtures.appendingPathComponent("golden/orders-analytics/\(kind.rawValue)/0001_initial.sql"), encoding: .utf8)
        var fresh: [[String]] = []
        try await MigrationSandbox.with(kind, files: ["0001_initial.sql": freshText]) { sandbox in
            let apply = try await sandbox.migrate("apply")
            #expect(apply.status == 0, "\(apply.all)")
            fresh = try await Self.quarantineShape(sandbox)
        }
        try await MigrationSandbox.with(kind, files: ["0001_initial.sql": frozen]) { sandbox in
            let first = try await sandbox.migrate("apply")
            #expect(first.status == 0, "\(first.all)")
            let applied = try await sandbox.ledger()
            let old = "INSERT INTO _projection_quarantine (projection, stream_sequence, subject, reason, raw) VALUES ('orders-analytics', 5, 's', 'before', 'x')"
            switch kind {
            case .clickhouse: try await ClickHouseClient(dsn: sandbox.dsn).execute(old)
            case .postgres: _ = try await sandbox.rows(old)
            }

            for upgrade in upgrades {
                try FileManager.default.copyItem(at: committed.appendingPathComponent(upgrade), to: sandbox.migrationDirectory.appendingPathComponent(upgrade))
            }
            let second = try await sandbox.migrate("apply")
            #expect(second.status == 0, "\(second.all)")
            #expect(second.output.contains("apply: applied \(upgrades.count) file(s)"), "\(second.all)")
            let ledger = try await sandbox.ledger()
            #expect(ledger.map { $0[0] } == ["0001_initial.sql"] + upgrades)
            #expect(ledger.first?[1] == applied.first?[1], "the applied file is unchanged")
            #expect(try await Self.quarantineShape(sandbox) == fresh, "upgraded and fresh quarantine tables agree")

            // The old entry is partition 0; another partition's entry at the same sequence is kept beside it,
            // and another durable's entry at the same partition and sequence beside that (on ClickHouse, a
            // merge too).
            let entries = [
                "INSERT INTO _projection_quarantine (projection, stream_sequence, subject, reason, raw, partition) VALUES ('orders-analytics', 5, 's', 'after', 'y', 1)",
                "INSERT INTO _projection_quarantine (projection, stream_sequence, subject, reason, raw, partition, consumer) VALUES ('orders-analytics', 5, 's', 'other', 'z', 1, 'durable-b')",
            ]
            switch kind {
            case .clickhouse:
                let client = try ClickHouseClient(dsn: sandbox.dsn)
                for entry in entries { try await client.execute(entry) }
                try await client.execute("OPTIMIZE TABLE _projection_quarantine FINAL")
            case .postgres:
                for entry in entries { _ = try await sandbox.rows(entry) }
            }
            let rows = try await sandbox.rows("SELECT partition, stream_sequence, consumer, reason FROM _projection_quarantine ORDER BY partition, consumer")
            #expect(rows == [["0", "5", "", "before"], ["1", "5", "", "after"], ["1", "5", "durable-b", "other"]])

            let again = try await sandbox.migrate("apply")
            #expect(again.output.contains("nothing to apply"), "\(again.all)")
        }
    }

    @Test("a Postgres deployment's seen keys take the version 4 key through apply, keeping every key and refusing its duplicates")
    func seenKeysKeyOrderUpgrade() async throws {
        let fixtures = StoreFixture.repositoryRoot.appendingPathComponent("Tests/ColumnstoreTests/Fixtures")
        let frozen = try String(contentsOf: fixtures.appendingPathComponent("internal-v1/orders-analytics/postgres/0001_initial.sql"), encoding: .utf8)
        let upgrade = "0004_internal_seen_keys_key_order.sql"
        let upgradeText = try String(contentsOf: StoreFixture.repositoryRoot.appendingPathComponent("sql/postgres/\(upgrade)"), encoding: .utf8)
        let freshText = try String(contentsOf: fixtures.appendingPathComponent("golden/orders-analytics/postgres/0001_initial.sql"), encoding: .utf8)
        var fresh: [[String]] = []
        try await MigrationSandbox.with(.postgres, files: ["0001_initial.sql": freshText]) { sandbox in
            #expect(try await sandbox.migrate("apply").status == 0)
            fresh = try await Self.primaryKey(sandbox, of: "_projection_seen_keys")
        }
        #expect(fresh == [["_projection_seen_keys_pkey", "tenant_id,idempotency_key,fact_type,projection"]])
        try await MigrationSandbox.with(.postgres, files: ["0001_initial.sql": frozen]) { sandbox in
            #expect(try await sandbox.migrate("apply").status == 0)
            #expect(try await Self.primaryKey(sandbox, of: "_projection_seen_keys") == [["_projection_seen_keys_pkey", "projection,fact_type,tenant_id,idempotency_key"]])
            // Keys that differ in one column each: all distinct under either order.
            let insert = """
                INSERT INTO _projection_seen_keys (projection, fact_type, tenant_id, idempotency_key, stream_sequence)
                VALUES ('p', 't', 'a', 'k', 1), ('q', 't', 'a', 'k', 2), ('p', 'u', 'a', 'k', 3), ('p', 't', 'b', 'k', 4), ('p', 't', 'a', 'l', 5)
                ON CONFLICT DO NOTHING RETURNING stream_sequence
                """
            #expect(try await sandbox.rows(insert).count == 5)

            try Data(upgradeText.utf8).write(to: sandbox.migrationDirectory.appendingPathComponent(upgrade))
            let second = try await sandbox.migrate("apply")
            #expect(second.status == 0, "\(second.all)")
            #expect(second.output.contains("apply: applied 1 file(s)"), "\(second.all)")
            #expect(try await Self.primaryKey(sandbox, of: "_projection_seen_keys") == fresh, "upgraded and fresh keys agree")
            #expect(try await sandbox.rows("SELECT stream_sequence FROM _projection_seen_keys ORDER BY stream_sequence") == [["1"], ["2"], ["3"], ["4"], ["5"]])
            #expect(try await sandbox.rows(insert).isEmpty, "every key recorded before the upgrade still counts as seen")
        }
    }

    /// `table.column=collation` for the internal tables' text key columns.
    static func keyCollations(_ sandbox: MigrationSandbox) async throws -> [[String]] {
        try await sandbox.rows("""
            SELECT c.relname || '.' || a.attname || '=' || coalesce(co.collname, '')
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_collation co ON co.oid = a.attcollation
            WHERE c.relname IN ('_projection_checkpoints', '_projection_seen_keys', '_projection_quarantine')
              AND c.relnamespace = current_schema()::regnamespace
              AND a.attname IN ('projection', 'consumer', 'fact_type', 'tenant_id', 'idempotency_key') AND a.attnum > 0
            ORDER BY 1
            """)
    }

    @Test("a Postgres deployment's internal text keys take the C collation through apply (version 7), as a first generation creates them, keeping every key")
    func internalTextKeysCollation() async throws {
        let fixtures = StoreFixture.repositoryRoot.appendingPathComponent("Tests/ColumnstoreTests/Fixtures")
        let freshText = try String(contentsOf: fixtures.appendingPathComponent("golden/orders-analytics/postgres/0001_initial.sql"), encoding: .utf8)
        var fresh: [[String]] = []
        try await MigrationSandbox.with(.postgres, files: ["0001_initial.sql": freshText]) { sandbox in
            #expect(try await sandbox.migrate("apply").status == 0)
            fresh = try await Self.keyCollations(sandbox)
        }
        #expect(fresh == [
            "_projection_checkpoints.consumer=C", "_projection_checkpoints.projection=C",
            "_projection_quarantine.consumer=C", "_projection_quarantine.fact_type=default", "_projection_quarantine.projection=C",
            "_projection_quarantine.tenant_id=default",
            "_projection_seen_keys.fact_type=C", "_projection_seen_keys.idempotency_key=C", "_projection_seen_keys.projection=C",
            "_projection_seen_keys.tenant_id=C",
        ].map { [$0] })

        let upgrade = "0006_internal_text_keys_collate_c.sql"
        try await MigrationSandbox.with(.postgres) { sandbox in
            // The committed folder up to its version-6 layout first.
            let upgradeFile = sandbox.migrationDirectory.appendingPathComponent(upgrade)
            let upgradeText = try Data(contentsOf: upgradeFile)
            try FileManager.default.removeItem(at: upgradeFile)
            #expect(try await sandbox.migrate("apply").status == 0)
            #expect(try await Self.keyCollations(sandbox).filter { $0[0].hasSuffix("=C") }.isEmpty)
            // Keys that differ only in case, in composition or in a byte a locale may ignore: distinct either way.
            let insert = """
                INSERT INTO _projection_seen_keys (projection, fact_type, tenant_id, idempotency_key, stream_sequence)
                VALUES ('p', 't', 'a', 'k', 1), ('p', 't', 'A', 'k', 2), ('p', 't', 'a', 'é', 3), ('p', 't', 'a', 'e\u{301}', 4),
                       ('p', 't', 'a', 'k-1', 5), ('p', 't', 'a', 'k1', 6), ('P', 't', 'a', 'k', 7)
                ON CONFLICT DO NOTHING RETURNING stream_sequence
                """
            #expect(try await sandbox.rows(insert).count == 7)

            try upgradeText.write(to: upgradeFile)
            let second = try await sandbox.migrate("apply")
            #expect(second.status == 0, "\(second.all)")
            #expect(second.output.contains("apply: applied 1 file(s)"), "\(second.all)")
            #expect(try await Self.keyCollations(sandbox) == fresh, "upgraded and fresh collations agree")
            #expect(try await Self.primaryKey(sandbox, of: "_projection_seen_keys") == [["_projection_seen_keys_pkey", "tenant_id,idempotency_key,fact_type,projection"]])
            #expect(try await sandbox.rows("SELECT stream_sequence FROM _projection_seen_keys ORDER BY stream_sequence").map { $0[0] } == (1...7).map(String.init))
            #expect(try await sandbox.rows(insert).isEmpty, "every key recorded before the upgrade still counts as seen")
            // Byte order now, whatever the database's locale: 'A' < 'a', 'k-1' < 'k1'.
            #expect(try await sandbox.rows("SELECT tenant_id || '/' || idempotency_key FROM _projection_seen_keys WHERE projection = 'p' ORDER BY tenant_id, idempotency_key").map { $0[0] }
                == ["A/k", "a/e\u{301}", "a/k", "a/k-1", "a/k1", "a/é"])
        }
    }

    @Test("a ClickHouse migration killed midway resumes from the next statement")
    func clickhouseResumeAfterCrash() async throws {
        let statements = ["CREATE TABLE IF NOT EXISTS steps (n UInt32) ENGINE = MergeTree ORDER BY n"]
            + (1...4).map { "INSERT INTO steps VALUES (\($0))" }
        // Inserts are deliberately not idempotent, so a statement that ran twice would show.
        let text = "-- hand-written\n\n" + statements.map { $0 + ";" }.joined(separator: "\n\n") + "\n"
        try await MigrationSandbox.with(.clickhouse, files: ["0001_steps.sql": text]) { sandbox in
            let crashed = try await sandbox.migrate(
                "apply", ["--lock-lease", "10"], environment: ["PROJECTION_MIGRATE_TEST_CRASH_AFTER_STATEMENTS": "2"])
            #expect(crashed.status == 137, "\(crashed.all)")
            let partial = try await sandbox.ledger()
            #expect(partial.map { Array($0.prefix(4)) } == [["0001_steps.sql", try sandbox.files()[0].checksum, "2", "5"]])
            #expect(try await sandbox.rows("SELECT n FROM steps ORDER BY n") == [["1"]])

            let status = try await sandbox.migrate("status")
            #expect(status.output.contains("partial   0001_steps.sql"), "\(status.all)")

            // The crashed run's lease (10 s) must lapse before the next run may take the lock (it waits, within
            // its default lock timeout). A 2 s lease ran out on a busy machine before the crash point: the
            // verdict must not depend on the machine's speed.
            let resumed = try await sandbox.migrate("apply")
            #expect(resumed.status == 0, "\(resumed.all)")
            #expect(resumed.output.contains("resuming at statement 3 of 5"), "\(resumed.all)")
            #expect(!resumed.output.contains("statement 2/5"), "\(resumed.all)")

            #expect(try await sandbox.rows("SELECT n FROM steps ORDER BY n") == [["1"], ["2"], ["3"], ["4"]])
            let ledger = try await sandbox.ledger()
            #expect(ledger.first?[2] == "5")
            #expect(ledger.first?[3] == "5")

            let again = try await sandbox.migrate("apply")
            #expect(again.status == 0)
            #expect(again.output.contains("nothing to apply"))
        }
    }

    @Test("a run that cannot get the lock within --lock-timeout exits 3 without applying", arguments: [StoreKind.clickhouse, .postgres])
    func lockTimeout(kind: StoreKind) async throws {
        try await MigrationSandbox.with(kind) { sandbox in
            let empty = try await sandbox.migrate("status")
            #expect(empty.output.contains("0 applied"), "\(empty.all)")
            // Another run holds the lock: a live claim row on ClickHouse, the advisory lock on Postgres.
            let backend: any MigrationBackend = kind == .clickhouse
                ? try ClickHouseMigrationBackend(dsn: sandbox.dsn) : PostgresMigrationBackend(dsn: sandbox.dsn)
            try await backend.prepareLedger()
            await backend.close()
            var holder: PostgresConnection?
            switch kind {
            case .clickhouse:
                let client = try ClickHouseClient(dsn: sandbox.dsn)
                try await client.execute("""
                    INSERT INTO _projection_migration_lock (lock_name, owner, claimed_at, expires_at, released, version)
                    SELECT 'projection-migrate', 'someone-else', now64(6, 'UTC'), now64(3, 'UTC') + INTERVAL 60 SECOND, 0, 1
                    """)
            case .postgres:
                let connection = try await PostgresConnection.connect(dsn: sandbox.dsn)
                try await connection.advisoryLock(PostgresMigrationBackend.lockKey(schema: sandbox.name))
                holder = connection
            }
            let blocked = try await sandbox.migrate("apply", ["--lock-timeout", "1"])
            holder?.close()
            #expect(blocked.status == 3, "\(blocked.all)")
            #expect(blocked.output.contains("waiting for the migration lock"), "\(blocked.all)")
            #expect(blocked.error.contains("lock"), "\(blocked.all)")
            #expect(try await sandbox.ledger().isEmpty)
        }
    }
}
