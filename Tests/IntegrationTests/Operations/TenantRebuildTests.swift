import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ
import Testing

/// `projection-migrate rebuild --tenant` with the real binaries, on both stores: one tenant's rows are
/// damaged, then rebuilt from sequence 1 and cut over while the live ingest keeps consuming and facts
/// keep arriving. The tenant comes back exact; the other tenants and the live checkpoint never move.
@Suite("Tenant-scoped rebuild", .serialized)
struct TenantRebuildTests {
    static let token = "tenant-rebuild-token-0123"

    /// Simulates a bug that lost rows of one tenant: every `t2` order and one `t2` day are deleted.
    func damage(_ fixture: StoreFixture) async throws {
        switch fixture.kind {
        case .postgres:
            let connection = try await PostgresConnection.connect(dsn: fixture.dsn)
            defer { connection.close() }
            try await connection.execute("DELETE FROM orders WHERE tenant_id = 't2'")
            try await connection.execute("DELETE FROM daily_sales WHERE tenant_id = 't2' AND day = '2026-03-05'")
        case .clickhouse:
            let client = try ClickHouseClient(dsn: fixture.dsn)
            try await client.execute("DELETE FROM orders WHERE tenant_id = 't2'")
            try await client.execute("DELETE FROM daily_sales WHERE tenant_id = 't2' AND day = '2026-03-05'")
        }
    }

    @Test("rebuild one damaged tenant while serving and consuming: it comes back exact, others untouched", arguments: [StoreKind.postgres, .clickhouse])
    func rebuildOneTenant(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "tenantrb")
        let stream = DevStack.uniqueName("TENANTRB").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: 3_000, seed: 41)
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
        let othersBefore = try await fixture.orders().filter { $0.key != "t2" }

        try await damage(fixture)
        #expect(try await fixture.orders()["t2"] == nil)
        #expect(try await fixture.dailyTotals()["t2"] != corpus.daily["t2"])

        // Rebuild t2 with a cutover while more facts arrive and the live ingest consumes them.
        let rebuild = try MigrateProcess(
            ["rebuild", "--tenant", "t2", "--cutover", "--catch-up-lag", "0", "--live-admin", "http://127.0.0.1:\(live.port)"],
            environment: settings)
        _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: first..<(total * 8 / 10))
        let outcome = await rebuild.wait(timeout: .seconds(180))
        #expect(outcome.status == 0, "rebuild failed: \(outcome.all)")
        #expect(outcome.error.contains("cut over tenant t2"), "\(outcome.error)")
        #expect(!outcome.all.contains("projection:projection@"), "no DSN password in the output")
        #expect(!(try await RebuildCutoverTests.tableExists(fixture, "orders__rebuild")), "the shadow tables are dropped")

        // The rest arrives after the cutover; t2's facts the replay applied past the live checkpoint
        // must not be applied again by the live ingest.
        _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: (total * 8 / 10)..<total)
        try await live.waitForCheckpoint(UInt64(total), timeout: .seconds(90))
        let daily = try await fixture.dailyTotals()
        #expect(daily["t2"] == corpus.daily["t2"], "t2 is exact again")
        #expect(daily == corpus.daily, "every tenant exact: nothing lost, nothing doubled")
        let orders = try await fixture.orders()
        #expect(orders == corpus.orders, "orders exact")
        #expect(othersBefore.allSatisfy { tenant, byID in byID.allSatisfy { orders[tenant]?[$0.key] == $0.value } },
                "other tenants' rows from before the rebuild are untouched")
        #expect(try await fixture.quarantineCount() == corpus.poisonCount, "the quarantine holds each poison fact once")

        _ = await live.terminate()
        await fixture.drop()
        await FactPublisher.deleteStream(stream)
    }

    @Test("--tenant refuses --keep-previous")
    func noKeepPrevious() async throws {
        let outcome = try await MigrateProcess.run(["rebuild", "--tenant", "t1", "--keep-previous", "--live-stopped", "--cutover"],
                                                   environment: ["PROJECTION_STORE_KIND": "postgres_table", "PROJECTION_STORE_DSN": DevStack.postgresDSN])
        #expect(outcome.status != 0)
        #expect(outcome.error.contains("--keep-previous"), "\(outcome.error)")
    }
}
