import ClickHouseHTTP
import Columnstore
import Logging
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

/// The quarantine with one stream per partition (issue #7): sequences repeat across partitions, so an
/// entry is (partition, sequence). Each store, migrated by the committed `sql/` files (the upgrade path).
@Suite("Quarantine per partition (dev stack)", .serialized)
struct QuarantinePartitionTests {
    static func payload(partition: Int, range: SequenceRange, poison sequences: [UInt64]) -> BatchPayload {
        BatchPayload(
            consumer: ConsumerID(projection: "orders-analytics", consumer: "durable-p\(partition)", partition: partition),
            range: range, facts: [],
            quarantined: sequences.map {
                QuarantinedFact(sequence: $0, subject: "p\(partition).t1.orders.order_placed.v1", factID: "f-\(partition)-\($0)",
                                tenant: "t1", reason: "poison in partition \(partition)", raw: Array("{not json \(partition)".utf8))
            })
    }

    static func write<S: ProjectionStore>(_ payload: BatchPayload, to store: S) async throws {
        for step in S.Guarantee.steps { _ = try await store.run(step, payload) }
    }

    /// Every entry, paged `pageSize` at a time.
    static func all<S: ProjectionStore>(_ store: S, partition: Int? = nil, pageSize: Int) async throws -> [QuarantinedFact] {
        var facts: [QuarantinedFact] = []
        var after: QuarantineKey?
        while true {
            let page = try await store.quarantined(projection: "orders-analytics", partition: partition, tenant: nil, after: after, limit: pageSize)
            facts += page
            guard page.count == pageSize, let last = page.last else { return facts }
            after = last.key
        }
    }

    func check<S: ProjectionStore>(_ store: S, _ fixture: StoreFixture) async throws {
        let range = SequenceRange(first: 5, last: 7)
        try await Self.write(Self.payload(partition: 1, range: range, poison: [5, 7]), to: store)
        try await Self.write(Self.payload(partition: 2, range: range, poison: [5, 7]), to: store)
        // A retried batch adds nothing: ClickHouse drops the repeated inserts, Postgres rolls the repeat back.
        do {
            try await Self.write(Self.payload(partition: 1, range: range, poison: [5, 7]), to: store)
        } catch let error as StoreError where error.code == .checkpointConflict {}

        let key = { (partition: Int, sequence: UInt64) in QuarantineKey(partition: partition, sequence: sequence, consumer: "durable-p\(partition)") }
        let both = [key(1, 5), key(2, 5), key(1, 7), key(2, 7)]
        #expect(try await fixture.quarantineKeys() == both.sorted(), "equal sequences of two partitions are both kept")
        let listed = try await store.quarantined(projection: "orders-analytics", partition: nil, tenant: nil, after: nil, limit: 100)
        #expect(listed.map(\.key) == both, "ordered by (sequence, partition, consumer)")
        #expect(listed.allSatisfy { $0.reason == "poison in partition \($0.partition)" && $0.raw == Array("{not json \($0.partition)".utf8) })
        #expect(try await Self.all(store, pageSize: 1).map(\.key) == both, "pages of one neither skip nor repeat")
        #expect(try await Self.all(store, partition: 2, pageSize: 1).map(\.key) == both.filter { $0.partition == 2 })

        // Removing one partition's entry (what a re-drive does) leaves the other partition's.
        try await store.removeQuarantined(projection: "orders-analytics", keys: [key(1, 5)])
        let rest = both.filter { $0 != key(1, 5) }
        #expect(try await store.quarantined(projection: "orders-analytics", partition: nil, tenant: nil, after: nil, limit: 100).map(\.key) == rest)
        #expect(try await fixture.quarantineKeys() == rest.sorted())
    }

    @Test("two partitions quarantining the same sequence keep both entries; removing one keeps the other", arguments: [StoreKind.postgres, .clickhouse])
    func sameSequenceTwoPartitions(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "quarantine")
        switch kind {
        case .postgres:
            let store = PostgresProjectionStore(dsn: fixture.dsn, schema: .ordersAnalytics, logger: Logger(label: "test.quarantine"))
            try await check(store, fixture)
        case .clickhouse:
            let store = ClickHouseProjectionStore(client: try ClickHouseClient(dsn: fixture.dsn), schema: .ordersAnalytics)
            _ = try await store.loadCheckpoint(ConsumerID(projection: "orders-analytics", consumer: "durable-p1", partition: 1))
            try await check(store, fixture)
        }
        await fixture.drop()
    }
}
