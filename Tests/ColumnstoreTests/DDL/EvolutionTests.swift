import Columnstore
import Testing

/// Schema evolution over the shop fixture: v1 → v2 (additive) → v3 (destructive).
@Suite("Schema evolution")
struct EvolutionTests {
    static let targets: [DDLTarget] = [.clickhouse(cluster: nil), .clickhouse(cluster: "analytics"), .postgres]

    static func shop(_ version: Int) throws -> ProjectionSchema {
        try ProjectionSchema(descriptorSet: FixtureFiles.bytes("shop_v\(version).binpb"))
    }

    /// Plans v1 from scratch, then each later version against the previous state.
    static func history(_ versions: [Int], target: DDLTarget, allowDestructive: Bool = false) throws -> [MigrationPlan] {
        var files: [String] = []
        var lock: SchemaSnapshot?
        var plans: [MigrationPlan] = []
        for version in versions {
            let plan = try MigrationPlanner.plan(
                schema: try shop(version), target: target, existingFiles: files, lock: lock, allowDestructive: allowDestructive
            )
            if let migration = plan.migration { files.append(migration.name) }
            if let newLock = plan.lock { lock = try SchemaSnapshot.decode(newLock.contents) }
            plans.append(plan)
        }
        return plans
    }

    @Test("additive changes produce a second numbered migration matching the golden files", arguments: targets)
    func additive(target: DDLTarget) throws {
        let plans = try Self.history([1, 2], target: target)
        let initial = try #require(plans[0].migration)
        let second = try #require(plans[1].migration)
        #expect(initial.name == "0001_initial.sql")
        #expect(second.name == "0002_alter_item_views_price_change.sql")
        for plan in plans {
            try FixtureFiles.expectGolden(try #require(plan.migration).contents, "shop/\(target.directoryName)/\(try #require(plan.migration).name)")
        }
        try FixtureFiles.expectGolden(try #require(plans[1].lock).contents, "shop/\(target.directoryName)/schema.lock.json")
        #expect(plans[1].changes.allSatisfy { !$0.isDestructive })
        let statements = MigrationScript.statements(in: second.contents)
        #expect(statements.contains { $0.contains("ALTER TABLE item_views") && $0.contains("ADD COLUMN IF NOT EXISTS") && $0.contains("session_id") })
        #expect(statements.contains { $0.hasPrefix("CREATE TABLE IF NOT EXISTS price_change") })
    }

    @Test("the TTL change reaches ClickHouse only")
    func ttlChange() throws {
        let clickhouse = try #require(try Self.history([1, 2], target: .clickhouse(cluster: nil))[1].migration)
        #expect(clickhouse.contents.contains("ALTER TABLE item_views MODIFY TTL viewed_at + INTERVAL 60 DAY;"))
        let postgres = try #require(try Self.history([1, 2], target: .postgres)[1].migration)
        #expect(!postgres.contents.contains("TTL"))
    }

    @Test("an unchanged schema produces nothing", arguments: targets)
    func unchanged(target: DDLTarget) throws {
        let plans = try Self.history([1, 1, 2, 2], target: target)
        #expect(plans[1].isUpToDate)
        #expect(plans[3].isUpToDate)
    }

    @Test("destructive changes are refused with the table and column named", arguments: targets)
    func destructiveRefused(target: DDLTarget) throws {
        let error = try #require(throws: MigrationGeneratorError.self) {
            try Self.history([1, 2, 3], target: target)
        }
        #expect(error.code == .destructiveChange)
        #expect(error.description.contains("table 'item_views': drop column 'referrer'"))
        #expect(error.description.contains("table 'item_prices': column 'price' changes type from decimal(12,2) to decimal(14,2)"))
        #expect(error.description.contains("--allow-destructive"))
    }

    @Test("--allow-destructive generates the destructive migration", arguments: targets)
    func destructiveAllowed(target: DDLTarget) throws {
        let plans = try Self.history([1, 2, 3], target: target, allowDestructive: true)
        let third = try #require(plans[2].migration)
        #expect(third.name == "0003_alter_item_views_item_prices.sql")
        try FixtureFiles.expectGolden(third.contents, "shop/\(target.directoryName)/\(third.name)")
        #expect(third.contents.contains("DROP COLUMN IF EXISTS `referrer`") || third.contents.contains("DROP COLUMN IF EXISTS referrer;"))
    }

    @Test("a key change recreates the table only when allowed")
    func keyChange() throws {
        let v1 = try Self.shop(1)
        var changed = v1
        let index = try #require(changed.tables.firstIndex { $0.name == "item_prices" })
        changed.tables[index].primaryKey = ["item_id", "tenant_id"]
        changed.tables[index].orderBy = ["item_id", "tenant_id"]
        let lock = SchemaSnapshot(v1, target: .clickhouse(cluster: nil))
        let error = try #require(throws: MigrationGeneratorError.self) {
            try MigrationPlanner.plan(schema: changed, target: .clickhouse(cluster: nil), existingFiles: ["0001_initial.sql"], lock: lock)
        }
        #expect(error.description.contains("table 'item_prices': primary key changes from (tenant_id, item_id) to (item_id, tenant_id)"))
        let plan = try MigrationPlanner.plan(
            schema: changed, target: .clickhouse(cluster: nil), existingFiles: ["0001_initial.sql"], lock: lock, allowDestructive: true
        )
        let statements = MigrationScript.statements(in: try #require(plan.migration).contents)
        #expect(statements.first == "DROP TABLE IF EXISTS item_prices")
        #expect(statements.last?.contains("ORDER BY (item_id, tenant_id)") == true)
    }

    @Test("aggregates with MAX use AggregatingMergeTree with simple aggregate columns")
    func aggregatingEngine() throws {
        let plan = try MigrationPlanner.plan(schema: try Self.shop(1), target: .clickhouse(cluster: nil), existingFiles: [], lock: nil)
        let contents = try #require(plan.migration).contents
        #expect(contents.contains("`last_sequence` SimpleAggregateFunction(max, UInt64)"))
        #expect(contents.contains("ENGINE = AggregatingMergeTree\n"))
    }

    @Test("a migration folder of another projection is refused")
    func projectionMismatch() throws {
        let lock = SchemaSnapshot(try Self.shop(1), target: .postgres)
        let error = try #require(throws: MigrationGeneratorError.self) {
            try MigrationPlanner.plan(schema: .ordersAnalytics, target: .postgres, existingFiles: ["0001_initial.sql"], lock: lock)
        }
        #expect(error.code == .projectionMismatch)
    }
}
