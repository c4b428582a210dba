import ClickHouseHTTP
import Columnstore
import Foundation
import Logging
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

/// A rebuild replays one durable's stream. Another durable writing the same tables (another stream,
/// `QuarantineConsumerTests`) would lose its rows, seen keys and quarantine entries in the cutover, which
/// rebuilds only what the first stream holds: `rebuild` refuses before changing anything, naming it.
@Suite("Rebuild with another durable in the tables (dev stack)", .serialized)
struct RebuildOtherDurablesTests {
    @Test("another durable's checkpoint and entries refuse the rebuild before anything changes", arguments: [StoreKind.postgres, .clickhouse])
    func refused(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "otherdur")
        let other = QuarantineConsumerTests.consumer("durable-b")
        let payload = BatchPayload(consumer: other, range: SequenceRange(first: 1, last: 2), facts: [],
                                   quarantined: QuarantineConsumerTests.poison([2], by: "durable-b"))
        // The store writes as an ingest of that consumer would; the rebuilder reads what they left.
        let write: (BatchPayload) async throws -> Void
        let rebuilder: any ProjectionRebuilder
        switch kind {
        case .postgres:
            let store = PostgresProjectionStore(dsn: fixture.dsn, schema: .ordersAnalytics, logger: Logger(label: "test.other"))
            write = { _ = try await QuarantineConsumerTests.write($0, to: store) }
            rebuilder = PostgresRebuilder(dsn: fixture.dsn, schema: .ordersAnalytics)
        case .clickhouse:
            let client = try ClickHouseClient(dsn: fixture.dsn)
            let store = ClickHouseProjectionStore(client: client, schema: .ordersAnalytics)
            write = { _ = try await QuarantineConsumerTests.write($0, to: store) }
            rebuilder = ClickHouseRebuilder(client: client, schema: .ordersAnalytics)
        }
        try await write(payload)
        let live = RebuildGeneration(live: QuarantineConsumerTests.consumer("durable-a"))
        #expect(try await rebuilder.otherDurables(than: live) == ["durable-b"])
        #expect(try await rebuilder.otherDurables(than: RebuildGeneration(live: other)) == [], "its own durable is not another")
        // The same durable name in another partition (another stream) is another consumer too.
        let elsewhere = BatchPayload(consumer: ConsumerID(projection: QuarantineConsumerTests.projection, consumer: "durable-b", partition: 1),
                                     range: SequenceRange(first: 1, last: 1), facts: [], quarantined: [])
        try await write(elsewhere)
        #expect(try await rebuilder.otherDurables(than: RebuildGeneration(live: other)) == ["durable-b (partition 1)"])
        await rebuilder.close()

        let stream = DevStack.uniqueName("OTHERDUR").uppercased()
        let refused = await (try MigrateProcess(["rebuild", "--cutover", "--live-stopped"], environment: [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(stream.lowercased()).>", "PROJECTION_DURABLE": "durable-a",
        ])).wait()
        #expect(refused.status != 0)
        #expect(refused.error.contains("other_durables") && refused.error.contains("durable-b"), "\(refused.error)")
        #expect(!(try await RebuildCutoverTests.tableExists(fixture, "orders\(RebuildGeneration.rebuildSuffix)")), "nothing was prepared")
        #expect(try await fixture.quarantineCount() == 1, "the other durable's entry is still there")
        let rollback = await (try MigrateProcess(["rollback", "--live-stopped"], environment: [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn, "PROJECTION_DURABLE": "durable-a",
        ])).wait()
        #expect(rollback.status != 0)
        #expect(rollback.error.contains("other_durables") && rollback.error.contains("durable-b"), "\(rollback.error)")
        await fixture.drop()
    }
}
