@testable import Columnstore
import Foundation
import Testing

/// Deployments whose migrations were generated before a change of the internal `_projection_*` tables.
/// `Fixtures/internal-v1/orders-analytics/<target>` is such a folder, frozen as it was generated and
/// applied (internal tables version 1, lock format 1); it must never be regenerated.
@Suite("Internal tables upgrade")
struct InternalTablesUpgradeTests {
    static let targets: [DDLTarget] = [.clickhouse(cluster: nil), .clickhouse(cluster: "analytics"), .postgres]

    static func frozenDirectory(_ target: DDLTarget) -> MigrationDirectory {
        MigrationDirectory(root: FixtureFiles.path("internal-v1/orders-analytics"), target: target)
    }

    static func temporaryRoot() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("projection-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @Test("a format-1 lock reads as internal tables version 1")
    func formatOneLock() throws {
        let lock = try #require(try Self.frozenDirectory(.postgres).readLock())
        #expect(lock.format == 1)
        #expect(lock.internalTables == 1)
        #expect(InternalTablesUpgrade.currentVersion == 7)
    }

    /// The frozen folder's next migration: on ClickHouse it also changes `orders`' TTL expression.
    static func upgradeName(_ target: DDLTarget) -> String {
        target.store == .clickhouse ? "0002_alter_orders_daily_sales.sql" : "0002_add_daily_sales__projection_facts.sql"
    }

    @Test("an older folder gets the upgrade as its next migration, matching the golden files", arguments: targets)
    func upgradeMigration(target: DDLTarget) throws {
        let directory = Self.frozenDirectory(target)
        let plan = try MigrationPlanner.plan(
            schema: .ordersAnalytics, target: target, existingFiles: try directory.migrationFileNames(), lock: try directory.readLock()
        )
        let migration = try #require(plan.migration)
        // The frozen folder also predates `daily_sales._projection_facts` (2026-12-05), which rides along, and
        // on ClickHouse the TTL expression that does not wrap near the domain's end (2026-12-07).
        #expect(migration.name == Self.upgradeName(target))
        #expect(plan.changes.map(\.description) == (target.store == .clickhouse ? ["table 'orders': TTL placed_at + 730 days"] : [])
            + ["table 'daily_sales': add column '_projection_facts'"])
        #expect(plan.internalUpgrades.map(\.version) == [2, 3, 4, 5, 6, 7])
        #expect(MigrationScript.isGenerated(migration.contents))
        try FixtureFiles.expectGolden(migration.contents, "orders-analytics-upgrade/\(target.directoryName)/\(migration.name)")

        // The upgraded folder records the same state as a first generation.
        let fresh = try MigrationPlanner.plan(schema: .ordersAnalytics, target: target, existingFiles: [], lock: nil)
        #expect(plan.lock == fresh.lock)
        let upgradedLock = try SchemaSnapshot.decode(try #require(plan.lock).contents)
        let again = try MigrationPlanner.plan(
            schema: .ordersAnalytics, target: target, existingFiles: ["0001_initial.sql", migration.name], lock: upgradedLock
        )
        #expect(again.isUpToDate)
    }

    @Test("the upgrade DDL: ADD COLUMN and a new sort key on ClickHouse, ADD COLUMN and a swapped primary key on Postgres")
    func upgradeStatements() throws {
        func statements(_ target: DDLTarget) throws -> [String] {
            let directory = Self.frozenDirectory(target)
            let plan = try MigrationPlanner.plan(
                schema: .ordersAnalytics, target: target, existingFiles: try directory.migrationFileNames(), lock: try directory.readLock()
            )
            return MigrationScript.statements(in: try #require(plan.migration).contents)
        }
        // The last statement of each is `daily_sales._projection_facts`, which the frozen folder also predates.
        #expect(try statements(.clickhouse(cluster: nil)) == [
            "ALTER TABLE _projection_quarantine ADD COLUMN IF NOT EXISTS `partition` UInt32, MODIFY ORDER BY (projection, stream_sequence, partition)",
            "ALTER TABLE _projection_checkpoints ADD COLUMN IF NOT EXISTS `batch_scope` String",
            "ALTER TABLE _projection_seen_keys ADD COLUMN IF NOT EXISTS `batch` LowCardinality(String), ADD COLUMN IF NOT EXISTS `partition` UInt32",
            "ALTER TABLE _projection_checkpoints ADD COLUMN IF NOT EXISTS `sum_guard` String",
            "ALTER TABLE _projection_quarantine ADD COLUMN IF NOT EXISTS `consumer` String, ADD COLUMN IF NOT EXISTS `batch_scope` String, "
                + "MODIFY ORDER BY (projection, stream_sequence, partition, consumer)",
            "ALTER TABLE orders MODIFY TTL placed_at + INTERVAL 730 DAY",
            "ALTER TABLE daily_sales ADD COLUMN IF NOT EXISTS `_projection_facts` UInt64",
        ])
        #expect(try statements(.clickhouse(cluster: "analytics")) == [
            "ALTER TABLE _projection_quarantine_local ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `partition` UInt32, "
                + "MODIFY ORDER BY (projection, stream_sequence, partition)",
            "ALTER TABLE _projection_quarantine ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `partition` UInt32",
            "ALTER TABLE _projection_checkpoints_local ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `batch_scope` String",
            "ALTER TABLE _projection_checkpoints ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `batch_scope` String",
            "ALTER TABLE _projection_seen_keys_local ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `batch` LowCardinality(String), ADD COLUMN IF NOT EXISTS `partition` UInt32",
            "ALTER TABLE _projection_seen_keys ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `batch` LowCardinality(String), ADD COLUMN IF NOT EXISTS `partition` UInt32",
            "ALTER TABLE _projection_checkpoints_local ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `sum_guard` String",
            "ALTER TABLE _projection_checkpoints ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `sum_guard` String",
            "ALTER TABLE _projection_quarantine_local ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `consumer` String, "
                + "ADD COLUMN IF NOT EXISTS `batch_scope` String, MODIFY ORDER BY (projection, stream_sequence, partition, consumer)",
            "ALTER TABLE _projection_quarantine ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `consumer` String, "
                + "ADD COLUMN IF NOT EXISTS `batch_scope` String",
            "ALTER TABLE orders_local ON CLUSTER analytics MODIFY TTL placed_at + INTERVAL 730 DAY",
            "ALTER TABLE daily_sales_local ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `_projection_facts` UInt64",
            "ALTER TABLE daily_sales ON CLUSTER analytics ADD COLUMN IF NOT EXISTS `_projection_facts` UInt64",
        ])
        #expect(try statements(.postgres) == [
            "ALTER TABLE _projection_quarantine ADD COLUMN IF NOT EXISTS partition integer NOT NULL DEFAULT 0",
            "ALTER TABLE _projection_quarantine DROP CONSTRAINT IF EXISTS _projection_quarantine_pkey, "
                + "ADD CONSTRAINT _projection_quarantine_pkey PRIMARY KEY (projection, stream_sequence, partition)",
            "ALTER TABLE _projection_seen_keys DROP CONSTRAINT IF EXISTS _projection_seen_keys_pkey, "
                + "ADD CONSTRAINT _projection_seen_keys_pkey PRIMARY KEY (tenant_id, idempotency_key, fact_type, projection)",
            "ALTER TABLE _projection_quarantine ADD COLUMN IF NOT EXISTS consumer text NOT NULL DEFAULT ''",
            "ALTER TABLE _projection_quarantine DROP CONSTRAINT IF EXISTS _projection_quarantine_pkey, "
                + "ADD CONSTRAINT _projection_quarantine_pkey PRIMARY KEY (projection, stream_sequence, partition, consumer)",
            "ALTER TABLE _projection_seen_keys ALTER COLUMN tenant_id TYPE text COLLATE \"C\", ALTER COLUMN idempotency_key TYPE text COLLATE \"C\", "
                + "ALTER COLUMN fact_type TYPE text COLLATE \"C\", ALTER COLUMN projection TYPE text COLLATE \"C\"",
            "ALTER TABLE _projection_quarantine ALTER COLUMN projection TYPE text COLLATE \"C\", ALTER COLUMN consumer TYPE text COLLATE \"C\"",
            "ALTER TABLE _projection_checkpoints ALTER COLUMN projection TYPE text COLLATE \"C\", ALTER COLUMN consumer TYPE text COLLATE \"C\"",
            "ALTER TABLE daily_sales ADD COLUMN IF NOT EXISTS _projection_facts bigint NOT NULL DEFAULT 0",
        ])
    }

    @Test("a first generation creates the quarantine keyed by partition and consumer directly", arguments: targets)
    func freshQuarantine(target: DDLTarget) throws {
        let plan = try MigrationPlanner.plan(schema: .ordersAnalytics, target: target, existingFiles: [], lock: nil)
        #expect(plan.internalUpgrades.isEmpty)
        let statements = MigrationScript.statements(in: try #require(plan.migration).contents)
        let quarantine = try #require(statements.first { $0.contains("_projection_quarantine") })
        switch target {
        case .clickhouse:
            #expect(quarantine.contains("`partition` UInt32,\n    `consumer` String,\n    `batch_scope` String\n)"),
                    "the columns come last, in the order the upgrades add them")
            #expect(quarantine.contains("ORDER BY (projection, stream_sequence, partition, consumer)"))
        case .postgres:
            #expect(quarantine.contains(
                "partition integer NOT NULL DEFAULT 0,\n    consumer text COLLATE \"C\" NOT NULL DEFAULT '',\n    PRIMARY KEY (projection, stream_sequence, partition, consumer)"))
        }
        if case .clickhouse(_?) = target {
            // Equal keys still meet on one shard; an upgraded cluster keeps this Distributed table as is.
            let distributed = try #require(statements.first { $0.hasPrefix("CREATE TABLE IF NOT EXISTS _projection_quarantine ON CLUSTER") })
            #expect(distributed.contains("cityHash64(projection, stream_sequence)"))
        }
    }

    @Test("a first generation keys the Postgres seen keys tenant and key first, as version 4 does")
    func freshSeenKeys() throws {
        let plan = try MigrationPlanner.plan(schema: .ordersAnalytics, target: .postgres, existingFiles: [], lock: nil)
        let statements = MigrationScript.statements(in: try #require(plan.migration).contents)
        let seenKeys = try #require(statements.first { $0.hasPrefix("CREATE TABLE IF NOT EXISTS _projection_seen_keys") })
        #expect(seenKeys.contains("PRIMARY KEY (tenant_id, idempotency_key, fact_type, projection)"))
        let upgrade = try #require(InternalTablesUpgrade.all.first { $0.version == 4 })
        #expect(PostgresDDL.internalTableStatements(for: upgrade).joined().contains("PRIMARY KEY (tenant_id, idempotency_key, fact_type, projection)"))
    }

    @Test("a Postgres-only step moves a ClickHouse folder's lock and writes none of its DDL; a ClickHouse-only step, a Postgres folder's")
    func postgresOnlyStepOnClickHouse() throws {
        var lock = SchemaSnapshot(.ordersAnalytics, target: .clickhouse(cluster: nil))
        lock.internalTables = 3
        let plan = try MigrationPlanner.plan(
            schema: .ordersAnalytics, target: .clickhouse(cluster: nil), existingFiles: ["0001_initial.sql"], lock: lock
        )
        #expect(plan.internalUpgrades.map(\.version) == [4, 5, 6, 7])
        // Only the statements of versions 5 and 6: versions 4 and 7 change Postgres alone.
        #expect(MigrationScript.statements(in: try #require(plan.migration).contents) == [
            "ALTER TABLE _projection_checkpoints ADD COLUMN IF NOT EXISTS `sum_guard` String",
            "ALTER TABLE _projection_quarantine ADD COLUMN IF NOT EXISTS `consumer` String, ADD COLUMN IF NOT EXISTS `batch_scope` String, "
                + "MODIFY ORDER BY (projection, stream_sequence, partition, consumer)",
        ])
        #expect(try SchemaSnapshot.decode(try #require(plan.lock).contents).internalTables == 7)

        var postgres = SchemaSnapshot(.ordersAnalytics, target: .postgres)
        postgres.internalTables = 4
        let onPostgres = try MigrationPlanner.plan(schema: .ordersAnalytics, target: .postgres, existingFiles: ["0001_initial.sql"], lock: postgres)
        #expect(onPostgres.internalUpgrades.map(\.version) == [5, 6, 7])
        // Only the statements of versions 6 and 7: version 5 changes ClickHouse alone.
        #expect(MigrationScript.statements(in: try #require(onPostgres.migration).contents) == [
            "ALTER TABLE _projection_quarantine ADD COLUMN IF NOT EXISTS consumer text NOT NULL DEFAULT ''",
            "ALTER TABLE _projection_quarantine DROP CONSTRAINT IF EXISTS _projection_quarantine_pkey, "
                + "ADD CONSTRAINT _projection_quarantine_pkey PRIMARY KEY (projection, stream_sequence, partition, consumer)",
            "ALTER TABLE _projection_seen_keys ALTER COLUMN tenant_id TYPE text COLLATE \"C\", ALTER COLUMN idempotency_key TYPE text COLLATE \"C\", "
                + "ALTER COLUMN fact_type TYPE text COLLATE \"C\", ALTER COLUMN projection TYPE text COLLATE \"C\"",
            "ALTER TABLE _projection_quarantine ALTER COLUMN projection TYPE text COLLATE \"C\", ALTER COLUMN consumer TYPE text COLLATE \"C\"",
            "ALTER TABLE _projection_checkpoints ALTER COLUMN projection TYPE text COLLATE \"C\", ALTER COLUMN consumer TYPE text COLLATE \"C\"",
        ])
        #expect(try SchemaSnapshot.decode(try #require(onPostgres.lock).contents).internalTables == 7)
    }

    @Test("every upgrade step has DDL for every target", arguments: targets)
    func everyStepHasDDL(target: DDLTarget) {
        for upgrade in InternalTablesUpgrade.all {
            let statements: [String]
            switch target {
            case .clickhouse(let cluster): statements = ClickHouseDDL(cluster: cluster).internalTableStatements(for: upgrade)
            case .postgres: statements = PostgresDDL.internalTableStatements(for: upgrade)
            }
            if case .postgres = target, !upgrade.changesPostgres {
                #expect(statements.isEmpty, "version \(upgrade.version) changes ClickHouse only")
            } else if case .clickhouse = target, !upgrade.changesClickHouse {
                #expect(statements.isEmpty, "version \(upgrade.version) changes Postgres only")
            } else {
                #expect(!statements.isEmpty, "version \(upgrade.version) for \(target)")
            }
        }
    }

    @Test("an upgrade and schema changes share one migration, the upgrade first", arguments: targets)
    func upgradeWithSchemaChanges(target: DDLTarget) throws {
        let v1 = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v1.binpb"))
        let v2 = try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v2.binpb"))
        var lock = SchemaSnapshot(v1, target: target)
        lock.format = 1
        lock.internalTables = 1
        let plan = try MigrationPlanner.plan(schema: v2, target: target, existingFiles: ["0001_initial.sql"], lock: lock)
        let migration = try #require(plan.migration)
        #expect(migration.name == "0002_alter_item_views_price_change.sql")
        let statements = MigrationScript.statements(in: migration.contents)
        #expect(statements.first?.hasPrefix("ALTER TABLE _projection_quarantine") == true)
        #expect(statements.contains { $0.hasPrefix("CREATE TABLE IF NOT EXISTS price_change") })
        #expect(migration.contents.contains("-- * internal table _projection_quarantine: add column partition"))
        #expect(try SchemaSnapshot.decode(try #require(plan.lock).contents) == SchemaSnapshot(v2, target: target))
    }

    @Test("a lock from a newer generator is refused")
    func newerLockRefused() throws {
        var lock = SchemaSnapshot(.ordersAnalytics, target: .postgres)
        lock.internalTables = InternalTablesUpgrade.currentVersion + 1
        let error = try #require(throws: MigrationGeneratorError.self) {
            try MigrationPlanner.plan(schema: .ordersAnalytics, target: .postgres, existingFiles: ["0001_initial.sql"], lock: lock)
        }
        #expect(error.code == .invalidLock)
        lock = SchemaSnapshot(.ordersAnalytics, target: .postgres)
        lock.format = SchemaSnapshot.currentFormat + 1
        #expect(throws: MigrationGeneratorError.self) {
            try MigrationPlanner.plan(schema: .ordersAnalytics, target: .postgres, existingFiles: ["0001_initial.sql"], lock: lock)
        }
    }

    @Test("generate on an older folder leaves the applied file byte-identical and adds one", arguments: targets)
    func generateKeepsAppliedFiles(target: DDLTarget) throws {
        let root = try Self.temporaryRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let source = Self.frozenDirectory(target).path
        let directory = MigrationDirectory(root: root, target: target)
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
        for name in ["0001_initial.sql", SchemaSnapshot.fileName] {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: directory.path + "/" + name)
        }
        let initial = try #require(FileManager.default.contents(atPath: directory.path + "/0001_initial.sql"))

        let plan = try MigrationGenerator.generate(schema: .ordersAnalytics, target: target, outputRoot: root)
        #expect(plan.migration?.name == Self.upgradeName(target))
        #expect(FileManager.default.contents(atPath: directory.path + "/0001_initial.sql") == initial)
        #expect(try directory.migrationFileNames() == ["0001_initial.sql", Self.upgradeName(target)])
        #expect(try directory.readLock() == SchemaSnapshot(.ordersAnalytics, target: target))
        #expect(try MigrationGenerator.generate(schema: .ordersAnalytics, target: target, outputRoot: root).isUpToDate)
    }

    @Test("the committed sql/ folders keep their applied initial migration", arguments: [DDLTarget.clickhouse(cluster: nil), .postgres])
    func committedInitialUnchanged(target: DDLTarget) throws {
        // Deployments applied this file; the ledger refuses a changed checksum.
        let committed = FixtureFiles.repositoryRoot.appendingPathComponent("sql/\(target.directoryName)/0001_initial.sql").path
        let frozen = Self.frozenDirectory(target).path + "/0001_initial.sql"
        #expect(FileManager.default.contents(atPath: committed) == FileManager.default.contents(atPath: frozen))
    }
}
