import Columnstore
import Foundation
import Testing

/// `projection-migrate rebuild --cutover` and `rollback` with the real binaries, on both stores: the live
/// tables keep serving during the replay, the cutover swaps in complete tables, the live ingest continues
/// from the rebuilt checkpoint, and the totals stay exact through a rebuild and a rollback.
@Suite("Rebuild and cutover", .serialized)
struct RebuildCutoverTests {
    static let token = "rebuild-admin-token-0123"

    @Test("rebuild while serving, cut over, keep publishing, roll back: totals exact throughout", arguments: [StoreKind.postgres, .clickhouse])
    func rebuildCutoverRollback(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "rebuild")
        let stream = DevStack.uniqueName("REBUILD").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: 4_000, seed: 31)
        let total = corpus.messages.count
        let first = total * 6 / 10
        _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: 0..<first)
        let settings = [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "live-\(subject)",
            "PROJECTION_ADMIN_TOKEN": Self.token, "PROJECTION_BATCH_MAX_FACTS": "500",
        ]
        let live = IngestProcess(environment: settings)
        try live.start()
        try await live.waitForCheckpoint(UInt64(first), timeout: .seconds(90))
        let before = try await fixture.orders().values.reduce(0) { $0 + $1.count }
        #expect(before > 0)

        // Rebuild with a cutover while the live tables serve and more facts arrive. The job's environment
        // carries a deployment's `PROJECTION_START_AT=new`: the replay must still start at the stream's start.
        let rebuild = try MigrateProcess(
            ["rebuild", "--cutover", "--keep-previous", "--catch-up-lag", "0", "--live-admin", "http://127.0.0.1:\(live.port)"],
            environment: settings.merging(["PROJECTION_START_AT": "new"]) { $1 })
        _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: first..<(total * 8 / 10))
        var served = 0
        let clock = ContinuousClock()
        let servingUntil = clock.now + .seconds(1)
        while clock.now < servingUntil {
            let count = try await fixture.orders().values.reduce(0) { $0 + $1.count }
            #expect(count >= before, "the live tables keep serving (and only grow) during the replay")
            served += 1
        }
        let outcome = await rebuild.wait(timeout: .seconds(180))
        #expect(outcome.status == 0, "rebuild failed: \(outcome.all)")
        #expect(outcome.error.contains("facts/s"), "progress shows rate and ETA: \(outcome.error)")
        #expect(outcome.error.contains("cut over"))
        #expect(!outcome.all.contains("projection:projection@"), "no DSN password in the output")
        #expect(served > 0)

        // The live ingest continues from the rebuilt checkpoint; publish the rest.
        _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: (total * 8 / 10)..<total)
        try await live.waitForCheckpoint(UInt64(total), timeout: .seconds(90))
        try await expectExact(fixture, corpus, "after the cutover")
        // The rebuild's quarantine entries became the live durable's: its admin lists every one.
        let consumers = try await fixture.rows(
            "SELECT DISTINCT consumer FROM _projection_quarantine WHERE projection = 'orders-analytics'",
            postgres: "SELECT DISTINCT consumer FROM _projection_quarantine WHERE projection = 'orders-analytics'")
        #expect(consumers == [["live-\(subject)"]], "entries name the live durable after the cutover: \(consumers)")
        let listing = try #require(await live.request("GET", "/admin/quarantine?limit=1000", token: Self.token))
        #expect((listing.body["facts"] as? [[String: Any]])?.count == corpus.poisonCount, "the live ingest lists every entry")
        #expect(try await Self.tableExists(fixture, "orders__previous"), "--keep-previous keeps the replaced tables")
        #expect(!(try await Self.tableExists(fixture, "orders__rebuild")))

        // Roll back to the previous generation: it catches up from its own checkpoint, exactly.
        let rollback = try MigrateProcess(["rollback", "--live-admin", "http://127.0.0.1:\(live.port)"], environment: settings)
        let rolled = await rollback.wait(timeout: .seconds(120))
        #expect(rolled.status == 0, "rollback failed: \(rolled.all)")
        try await ContinuousClock().sleep(for: .milliseconds(300))
        try await live.waitForCheckpoint(UInt64(total), timeout: .seconds(90))
        try await expectExact(fixture, corpus, "after the rollback")

        _ = await live.terminate()
        await fixture.drop()
        await FactPublisher.deleteStream(stream)
    }

    @Test("cutover without a rebuild is refused and changes nothing")
    func nothingToCutOver() async throws {
        let fixture = try await StoreFixture.make(.postgres, prefix: "rebuild")
        let rollback = try MigrateProcess(["rollback", "--live-stopped"], environment: [
            "PROJECTION_STORE_KIND": StoreKind.postgres.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
        ])
        let outcome = await rollback.wait()
        #expect(outcome.status == 1)
        #expect(outcome.error.contains("nothing_to_roll_back"), "\(outcome.error)")
        #expect(try await Self.tableExists(fixture, "orders"))
        let bad = try MigrateProcess(["rebuild", "--cutover"], environment: [
            "PROJECTION_STORE_KIND": StoreKind.postgres.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
        ])
        let refused = await bad.wait()
        #expect(refused.status != 0)
        #expect(refused.error.contains("--live-admin"), "\(refused.error)")
        await fixture.drop()
    }

    private func expectExact(_ fixture: StoreFixture, _ corpus: FactCorpus, _ when: String) async throws {
        let daily = try await fixture.dailyTotals()
        let count = daily.values.flatMap(\.values).reduce(Int64(0)) { $0 + $1.orderCount }
        #expect(daily == corpus.daily, "daily_sales exact \(when): \(count) orders, published \(corpus.totalOrderCount)")
        #expect(try await fixture.orders() == corpus.orders, "orders exact \(when)")
        let quarantined = try await fixture.quarantineCount()
        #expect(quarantined == corpus.poisonCount, "quarantine exact \(when): \(quarantined), published \(corpus.poisonCount)")
    }

    static func tableExists(_ fixture: StoreFixture, _ table: String) async throws -> Bool {
        let rows = try await fixture.rows(
            "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = '\(table)'",
            postgres: "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '\(table)'")
        return rows.first?.first == "1"
    }
}
