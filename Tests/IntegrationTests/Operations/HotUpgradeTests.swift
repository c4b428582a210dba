import Columnstore
import Foundation
import Testing

/// Issue #7, hot upgrade of projection logic, end to end with the real binaries on both stores: the live
/// ingest runs v1 (the built-in orders-analytics) while facts keep arriving; `rebuild --descriptor-set v2
/// --cutover` backfills v2 (new column `orders.placed_day`, new measure `daily_sales.refund_count`) from
/// sequence 1 beside it and swaps it in; the ingest is redeployed with v2; the query API with v2 answers
/// from the new tables; `rollback` brings v1 back. Follows the runbook in docs/OPERATIONS.md.
@Suite("Hot upgrade", .serialized)
struct HotUpgradeTests {
    static let token = "hot-upgrade-token-0123"
    static let fixtures = StoreFixture.repositoryRoot.appendingPathComponent("Tests/ColumnstoreTests/Fixtures")
    static let v2 = fixtures.appendingPathComponent("orders_analytics_v2.binpb").path
    static let v2SQL = fixtures.appendingPathComponent("orders_analytics_v2/sql").path
    static let v1SQL = StoreFixture.repositoryRoot.appendingPathComponent("sql")

    @Test("v1 live, rebuild v2 beside it, cut over, redeploy v2, query v2, roll back to v1: exact throughout",
          arguments: [StoreKind.postgres, .clickhouse])
    func hotUpgrade(kind: StoreKind) async throws {
        // Migrated as a deployment is, through `apply` and its ledger, so the v2 migration below is the one
        // file a later `apply` runs.
        let fixture = try await StoreFixture.make(kind, prefix: "hotup", migrated: false)
        let migrated = try await MigrateProcess.run(["apply", "--sql-dir", Self.v1SQL.path],
                                                    environment: ["PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn])
        try #require(migrated.status == 0, "apply failed: \(migrated.all)")
        let stream = DevStack.uniqueName("HOTUP").uppercased()
        let subject = stream.lowercased()
        // FactCorpus(orders: n) is a prefix of FactCorpus(orders: m > n): each stage's exact totals are
        // those of a smaller corpus.
        let stages = [1_600, 2_400, 3_200, 4_000].map { FactCorpus(subjectPrefix: subject, orders: $0, seed: 37) }
        let corpus = stages[3]
        func publish(stage: Int) async throws {
            let from = stage == 0 ? 0 : stages[stage - 1].messages.count
            _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: from..<stages[stage].messages.count)
        }
        let settings = [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "live-\(subject)",
            "PROJECTION_ADMIN_TOKEN": Self.token, "PROJECTION_BATCH_MAX_FACTS": "500",
        ]
        var v2Settings = settings
        v2Settings["PROJECTION_DESCRIPTOR_SET"] = Self.v2

        // 1. v1 live.
        try await publish(stage: 0)
        let v1 = IngestProcess(environment: settings)
        try v1.start()
        try await v1.waitForCheckpoint(UInt64(stages[0].messages.count), timeout: .seconds(90))
        #expect(!(try await fixture.hasColumn("orders", "placed_day")))

        // 2. Rebuild v2 from sequence 1 while v1 serves and facts keep arriving; cut over, leaving v1
        //    paused (resumed, it would write v1 rows into the v2 tables).
        let rebuild = try MigrateProcess(
            ["rebuild", "--descriptor-set", Self.v2, "--cutover", "--keep-previous", "--leave-live-paused",
             "--catch-up-lag", "0", "--live-admin", "http://127.0.0.1:\(v1.port)"],
            environment: settings)
        try await publish(stage: 1)
        let outcome = await rebuild.wait(timeout: .seconds(240))
        #expect(outcome.status == 0, "rebuild failed: \(outcome.all)")
        #expect(outcome.error.contains("cut over"))
        #expect(outcome.error.contains("left paused"), "\(outcome.error)")

        // The v2 tables are live; every row has the new columns, backfilled from sequence 1.
        #expect(try await fixture.hasColumn("orders", "placed_day"))
        #expect(try await fixture.hasColumn("daily_sales", "refund_count"))
        let backfilled = try await fixture.orders()
        #expect(backfilled.values.reduce(0) { $0 + $1.count } >= stages[0].orders.values.reduce(0) { $0 + $1.count },
                "the rebuild covers at least everything v1 had")
        let days = try await fixture.placedDays()
        for (tenant, orders) in backfilled {
            for (id, order) in orders {
                #expect(corpus.orders[tenant]?[id] == order, "order \(tenant)/\(id) as published")
                #expect(days[tenant]?[id] == String(order.placedAt.prefix(10)), "placed_day of \(tenant)/\(id) backfilled")
            }
        }
        // v1, paused, kept its tables as __previous, frozen at its checkpoint.
        let v1Daily = try await fixture.dailyTotals(suffix: "__previous")
        let v1Orders = try await fixture.orders(suffix: "__previous")
        #expect(await v1.admin()?["paused"] as? Bool == true, "v1 left paused by the cutover")
        #expect(v1Daily.values.flatMap(\.values).reduce(0) { $0 + $1.orderCount } > 0)
        _ = await v1.terminate()

        // 3. Deploy the ingest with v2: it continues from the rebuilt checkpoint; publish more.
        let live2 = IngestProcess(environment: v2Settings)
        try live2.start()
        try await publish(stage: 2)
        try await live2.waitForCheckpoint(UInt64(stages[2].messages.count), timeout: .seconds(90))
        try await expectExact(fixture, stages[2], "v2 live")
        #expect(try await fixture.refundCounts() == stages[2].refundCounts, "refund_count exact from sequence 1")
        #expect(try await fixture.placedDays() == stages[2].placedDays, "placed_day on every order")

        // The ledger: the v2 migration (generated as for a commit) applied to the upgraded store records the
        // new schema; its statements are IF NOT EXISTS, so on tables the rebuild already made they change nothing.
        let sqlDir = FileManager.default.temporaryDirectory.appendingPathComponent(DevStack.uniqueName("hotup-sql"))
        try FileManager.default.createDirectory(at: sqlDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.v1SQL.appendingPathComponent(kind.rawValue), to: sqlDir.appendingPathComponent(kind.rawValue))
        let generated = try await MigrateProcess.run(
            ["generate", "--descriptor-set", Self.v2, "--out", sqlDir.path, "--store", kind.rawValue], environment: [:])
        #expect(generated.status == 0, "generate failed: \(generated.all)")
        let migrations = try FileManager.default.contentsOfDirectory(atPath: sqlDir.appendingPathComponent(kind.rawValue).path).filter { $0.hasSuffix(".sql") }
        #expect(migrations.contains { $0.hasPrefix("0002_") }, "a v2 migration: \(migrations)")
        let applied = try await MigrateProcess.run(["apply", "--sql-dir", sqlDir.path], environment: settings)
        #expect(applied.status == 0, "apply failed: \(applied.all)")
        #expect(applied.output.contains("apply: applied 1 file(s)"), "only the v2 migration: \(applied.all)")
        let again = try await MigrateProcess.run(["apply", "--sql-dir", sqlDir.path], environment: settings)
        #expect(again.output.contains("nothing to apply"), "\(again.all)")
        try? FileManager.default.removeItem(at: sqlDir)
        try await expectExact(fixture, stages[2], "v2 live, after apply")
        #expect(try await fixture.refundCounts() == stages[2].refundCounts, "refund_count unchanged by apply")

        // The query API deployed with v2 (descriptor set and query files) answers from the v2 tables.
        let queryV2 = HotUpgradeQueryAPI(kind: kind, dsn: fixture.dsn, descriptorSet: Self.v2, sqlDirectory: Self.v2SQL)
        for tenant in ["t1", "t2", "t3"] {
            let answer = try await queryV2.dailySales(tenant: tenant)
            #expect(answer.status == 200)
            var refunds: [String: Int64] = [:]
            var orders: Int64 = 0
            for row in answer.rows {
                refunds[String((row["day"] as? String ?? "?").prefix(10))] = Int64("\(row["refundCount"] ?? "0")") ?? -1
                orders += Int64("\(row["orderCount"] ?? "0")") ?? -1
            }
            #expect(refunds.filter { $0.value != 0 } == stages[2].refundCounts[tenant] ?? [:], "query API v2 refund counts, \(tenant)")
            #expect(orders == stages[2].daily[tenant]?.values.reduce(0) { $0 + $1.orderCount }, "query API v2 order counts, \(tenant)")
        }

        // v1's query files still work on the v2 tables (the change only adds columns).
        let queryV1 = HotUpgradeQueryAPI(kind: kind, dsn: fixture.dsn, descriptorSet: nil, sqlDirectory: Self.v1SQL.path)
        #expect(try await queryV1.dailySales(tenant: "t1").status == 200)

        // 4. Roll back: v1's tables are back exactly as v1 left them at the cutover.
        let rollback = try MigrateProcess(["rollback", "--live-admin", "http://127.0.0.1:\(live2.port)", "--leave-live-paused"], environment: settings)
        let rolled = await rollback.wait(timeout: .seconds(120))
        #expect(rolled.status == 0, "rollback failed: \(rolled.all)")
        _ = await live2.terminate()
        #expect(!(try await fixture.hasColumn("orders", "placed_day")))
        #expect(try await fixture.dailyTotals() == v1Daily, "v1 daily_sales as at the cutover")
        #expect(try await fixture.orders() == v1Orders, "v1 orders as at the cutover")
        #expect(try await RebuildCutoverTests.tableExists(fixture, "orders__previous"), "v2 kept: the rollback can be undone")
        // The v2 query files do not fit the v1 tables: the query API is rolled back with the ingest.
        #expect(try await queryV2.dailySales(tenant: "t1").status != 200)

        // 5. Redeploy v1: it catches up from its own checkpoint, re-applying with the v1 mapping the facts
        //    v2 consumed after the cutover; with the rest published, totals are exact (nothing lost or doubled).
        let v1Again = IngestProcess(environment: settings)
        try v1Again.start()
        try await publish(stage: 3)
        try await v1Again.waitForCheckpoint(UInt64(corpus.messages.count), timeout: .seconds(90))
        try await expectExact(fixture, corpus, "v1 after the rollback")
        let v1Answer = try await queryV1.dailySales(tenant: "t1")
        #expect(v1Answer.status == 200)
        #expect(v1Answer.rows.reduce(Int64(0)) { $0 + (Int64("\($1["orderCount"] ?? "0")") ?? -1) }
                == corpus.daily["t1"]?.values.reduce(0) { $0 + $1.orderCount }, "query API v1 after the rollback")

        _ = await v1Again.terminate()
        await fixture.drop()
        await FactPublisher.deleteStream(stream)
    }

    private func expectExact(_ fixture: StoreFixture, _ corpus: FactCorpus, _ when: String) async throws {
        #expect(try await fixture.dailyTotals() == corpus.daily, "daily_sales exact, \(when)")
        #expect(try await fixture.orders() == corpus.orders, "orders exact, \(when)")
        #expect(try await fixture.quarantineCount() == corpus.poisonCount, "quarantine exact, \(when)")
    }
}
