@testable import Columnstore
import Foundation
import Testing

@Suite("Golden DDL")
struct GoldenDDLTests {
    static let targets: [DDLTarget] = [.clickhouse(cluster: nil), .clickhouse(cluster: "analytics"), .postgres]

    @Test("orders-analytics initial migration matches the golden files", arguments: targets)
    func ordersAnalyticsInitial(target: DDLTarget) throws {
        let plan = try MigrationPlanner.plan(schema: .ordersAnalytics, target: target, existingFiles: [], lock: nil)
        let migration = try #require(plan.migration)
        let lock = try #require(plan.lock)
        #expect(migration.name == "0001_initial.sql")
        #expect(MigrationScript.isGenerated(migration.contents))
        try FixtureFiles.expectGolden(migration.contents, "orders-analytics/\(target.directoryName)/\(migration.name)")
        try FixtureFiles.expectGolden(lock.contents, "orders-analytics/\(target.directoryName)/\(lock.name)")
    }

    @Test("generation is deterministic", arguments: targets)
    func deterministic(target: DDLTarget) throws {
        let first = try MigrationPlanner.plan(schema: .ordersAnalytics, target: target, existingFiles: [], lock: nil)
        // A second, independent decode of the embedded descriptor set.
        let again = try ProjectionSchema(descriptorSet: OrdersAnalyticsDescriptorSet.bytes)
        let second = try MigrationPlanner.plan(schema: again, target: target, existingFiles: [], lock: nil)
        #expect(first == second)
    }

    @Test("ClickHouse DDL carries the annotated engine, ORDER BY, PARTITION BY and TTL")
    func clickHouseClauses() throws {
        let plan = try MigrationPlanner.plan(schema: .ordersAnalytics, target: .clickhouse(cluster: nil), existingFiles: [], lock: nil)
        let statements = MigrationScript.statements(in: try #require(plan.migration).contents)
        let orders = try #require(statements.first { $0.hasPrefix("CREATE TABLE IF NOT EXISTS orders\n") })
        #expect(orders.contains("ENGINE = ReplacingMergeTree(_version)"))
        #expect(orders.contains("PARTITION BY toYYYYMM(placed_at)"))
        #expect(orders.contains("ORDER BY (tenant_id, order_id)"))
        #expect(orders.contains("TTL placed_at + INTERVAL 730 DAY"))
        let dailySales = try #require(statements.first { $0.hasPrefix("CREATE TABLE IF NOT EXISTS daily_sales\n") })
        #expect(dailySales.contains("ENGINE = SummingMergeTree\n"))
        #expect(dailySales.contains("ORDER BY (tenant_id, day)"))
        // Every MergeTree table, internal ones included, dedupes retried inserts.
        #expect(statements.count == 5)
        #expect(statements.allSatisfy { $0.hasSuffix("SETTINGS non_replicated_deduplication_window = 1000") })
    }

    @Test("the committed sql/ folders are up to date with the built-in projection", arguments: [DDLTarget.clickhouse(cluster: nil), .postgres])
    func committedMigrationsUpToDate(target: DDLTarget) throws {
        let directory = MigrationDirectory(root: FixtureFiles.repositoryRoot.appendingPathComponent("sql").path, target: target)
        let plan = try MigrationPlanner.plan(
            schema: .ordersAnalytics, target: target,
            existingFiles: try directory.migrationFileNames(), lock: try directory.readLock()
        )
        #expect(plan.isUpToDate, "run dev/generate.sh")
    }
}
