import ClickHouseHTTP
import Columnstore
import Logging
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

/// An entry keeps its whole message, so a page of 1,000 could be gigabytes (a listing, a re-drive or a
/// skip read it whole into ingest). A page stops once the raw bytes before an entry reach
/// `QuarantinePageBudget.rawBytes`; paging on from its last key misses and repeats nothing. Each store,
/// migrated by the committed `sql/`.
@Suite("Quarantine pages bounded by bytes (dev stack)", .serialized)
struct QuarantinePageBudgetTests {
    static let consumer = ConsumerID(projection: "orders-analytics", consumer: "durable-big")

    func check<S: ProjectionStore>(_ store: S, kind: StoreKind) async throws {
        // Five entries of 3 MiB each, every byte value in them.
        let size = 3 << 20
        let entries = (1...5).map { (n: UInt64) in
            QuarantinedFact(sequence: n, subject: "big.t1.orders.order_placed.v1", factID: "big-\(n)", tenant: "t1", reason: "too big \(n)",
                            raw: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(n)) })
        }
        let payload = BatchPayload(consumer: Self.consumer, range: SequenceRange(first: 1, last: 5), facts: [], quarantined: entries)
        _ = try await store.loadCheckpoint(Self.consumer)
        for step in S.Guarantee.steps { _ = try await store.run(step, payload) }

        let first = try await store.quarantined(projection: Self.consumer.projection, partition: 0, tenant: nil, after: nil, limit: 1000)
        // Raw bytes before the third: 6 MiB (< 8 MiB); before the fourth: 9 MiB.
        #expect(first.map(\.sequence) == [1, 2, 3], "\(kind): the page stops at the byte budget")
        #expect(first.map(\.raw) == entries.prefix(3).map(\.raw), "\(kind): each entry's message whole")
        #expect(QuarantinePageBudget.isFull(first, limit: 1000), "\(kind): a page cut by bytes is full: more may follow")
        let second = try await store.quarantined(projection: Self.consumer.projection, partition: 0, tenant: nil, after: first.last?.key, limit: 1000)
        #expect(second.map(\.sequence) == [4, 5], "\(kind): the next page goes on from its last key")
        #expect(second.map(\.raw) == entries.suffix(2).map(\.raw))
        #expect(!QuarantinePageBudget.isFull(second, limit: 1000))
        let one = try await store.quarantined(projection: Self.consumer.projection, partition: 0, tenant: nil, after: nil, limit: 2)
        #expect(one.map(\.sequence) == [1, 2], "\(kind): the limit still applies under the budget")
    }

    @Test("a page of large entries stops at the byte budget and the next goes on", arguments: [StoreKind.postgres, .clickhouse])
    func bounded(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "qbudget")
        switch kind {
        case .postgres:
            try await check(PostgresProjectionStore(dsn: fixture.dsn, schema: .ordersAnalytics, logger: Logger(label: "test.quarantine")), kind: kind)
        case .clickhouse:
            try await check(ClickHouseProjectionStore(client: try ClickHouseClient(dsn: fixture.dsn), schema: .ordersAnalytics), kind: kind)
        }
        await fixture.drop()
    }
}
