import ClickHouseHTTP
import Columnstore
import Foundation
import Testing
@testable import Ingest
@testable import ClickHouseBackend
@testable import PostgresBackend

/// The store half of lease fencing, on the real stores: once a newer epoch fenced a partition's
/// checkpoint, a batch written under an older epoch is refused with nothing applied, on both stores.
@Suite("Lease fencing in the stores")
struct LeaseFencingTests {
    /// Mapped facts of a small corpus, numbered from 1 (poison and unconsumed facts left out).
    static func facts() throws -> (schema: ProjectionSchema, facts: [MappedFact]) {
        let schema = try ProjectionSchema.resolve(descriptorSetPath: nil, projection: "orders-analytics")
        let decoder = FactDecoder(maxFactBytes: 1 << 20)
        let mapper = FactMapper(schema: schema)
        let corpus = FactCorpus(subjectPrefix: "fence", orders: 40, seed: 3)
        var facts: [MappedFact] = []
        for (i, message) in corpus.messages.enumerated() {
            guard let fact = try? decoder.decode(body: message.body, header: { message.headers[$0] }),
                  let mapped = try? mapper.map(fact, sequence: UInt64(i + 1), subject: message.subject) else { continue }
            facts.append(mapped)
        }
        return (schema, facts)
    }

    func write<S: ProjectionStore>(_ store: S, _ consumer: ConsumerID, _ facts: [MappedFact], epoch: UInt64) async throws {
        let range = SequenceRange(first: facts.first!.sequence, last: facts.last!.sequence)
        let payload = BatchPayload(consumer: consumer, range: range, facts: facts, quarantined: [], leaseEpoch: epoch)
        for step in S.Guarantee.steps { _ = try await store.run(step, payload) }
    }

    func expectFenced(_ body: () async throws -> Void) async {
        do {
            try await body()
            Issue.record("expected StoreError.fenced")
        } catch let error as StoreError {
            #expect(error.code == .fenced, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    func check<S: ProjectionStore>(_ store: S, fixture: StoreFixture, facts: [MappedFact]) async throws {
        let consumer = ConsumerID(projection: "orders-analytics", consumer: "fence", partition: 4)
        let half = facts.count / 2
        // Epoch 5 takes the partition and writes the first half.
        try await store.fence(consumer, epoch: 5)
        #expect(try await store.loadCheckpoint(consumer) == .empty, "fencing a new partition starts it at 0")
        try await write(store, consumer, Array(facts[..<half]), epoch: 5)
        let afterFirst = try await store.loadCheckpoint(consumer)
        #expect(afterFirst.committed == facts[half - 1].sequence)
        let ordersBefore = try await fixture.orders().values.map(\.count).reduce(0, +)

        // Epoch 9 takes over; the stale owner's next batch is refused and changes nothing.
        try await store.fence(consumer, epoch: 9)
        #expect(try await store.loadCheckpoint(consumer) == afterFirst, "the fence keeps the checkpoint")
        await expectFenced { try await write(store, consumer, Array(facts[half...]), epoch: 5) }
        #expect(try await store.loadCheckpoint(consumer) == afterFirst)
        #expect(try await fixture.orders().values.map(\.count).reduce(0, +) == ordersBefore, "no row of the stale batch was applied")

        // A fence with an older epoch than the store holds is refused too.
        await expectFenced { try await store.fence(consumer, epoch: 7) }

        // The new owner writes the rest; the totals are those of every fact exactly once.
        try await write(store, consumer, Array(facts[half...]), epoch: 9)
        #expect(try await store.loadCheckpoint(consumer).committed == facts.last!.sequence)
        let orders = try await fixture.orders()
        let placed = Set(facts.filter { $0.factType == "orders.order_placed.v1" }.map { "\($0.tenant)/\($0.idempotencyKey)" })
        #expect(orders.values.map(\.count).reduce(0, +) == placed.count)

        // Another partition of the same projection is not affected by partition 4's fence.
        let other = ConsumerID(projection: "orders-analytics", consumer: "fence", partition: 5)
        try await store.fence(other, epoch: 1)
        #expect(try await store.loadCheckpoint(other) == .empty)
    }

    @Test("a batch under a fenced-off epoch is refused with nothing applied", arguments: [StoreKind.postgres, .clickhouse])
    func staleEpoch(kind: StoreKind) async throws {
        let (schema, facts) = try Self.facts()
        let fixture = try await StoreFixture.make(kind, prefix: "fence")
        switch kind {
        case .postgres:
            try await check(PostgresProjectionStore(dsn: fixture.dsn, schema: schema, logger: .init(label: "test")), fixture: fixture, facts: facts)
        case .clickhouse:
            try await check(ClickHouseProjectionStore(client: try .init(dsn: fixture.dsn), schema: schema), fixture: fixture, facts: facts)
        }
        await fixture.drop()
    }

    /// ClickHouse's fence check for an intent runs inside the INSERT (the server evaluates it when the
    /// statement arrives), so a stale owner's intent that reaches the store after a newer fence, however
    /// late, leaves no row that a later owner could read as a pending batch.
    @Test("ClickHouse: an intent arriving after a newer fence writes no row")
    func lateIntentWritesNothing() async throws {
        let (schema, facts) = try Self.facts()
        let fixture = try await StoreFixture.make(.clickhouse, prefix: "fence")
        let client = try ClickHouseClient(dsn: fixture.dsn)
        let store = ClickHouseProjectionStore(client: client, schema: schema)
        let consumer = ConsumerID(projection: "orders-analytics", consumer: "late-intent", partition: 2)
        try await store.fence(consumer, epoch: 5)
        let first = Array(facts[..<10])
        try await write(store, consumer, first, epoch: 5)
        let committed = try await store.loadCheckpoint(consumer)
        try await store.fence(consumer, epoch: 9)

        let late = Array(facts[10..<20])
        let payload = BatchPayload(consumer: consumer, range: SequenceRange(first: late.first!.sequence, last: late.last!.sequence),
                                   facts: late, quarantined: [], leaseEpoch: 5)
        await expectFenced { try await store.writeIntentUnlessFenced(payload) }
        let rows = try await client.query(
            "SELECT count() FROM _projection_checkpoints WHERE consumer = 'late-intent' AND lease_epoch = 5 AND state = 'before' AND first_sequence = {f:UInt64} FORMAT TabSeparated",
            parameters: ["f": String(payload.range.first)])
        #expect(rows.text.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "no intent row of the stale epoch")
        #expect(try await store.loadCheckpoint(consumer) == committed, "the checkpoint is the fenced one")

        // The current owner's intent is written by the same statement.
        let current = BatchPayload(consumer: consumer, range: payload.range, facts: late, quarantined: [], leaseEpoch: 9)
        try await store.writeIntentUnlessFenced(current)
        #expect(try await store.loadCheckpoint(consumer) == StoredCheckpoint(committed: committed.committed, pending: payload.range))
        await fixture.drop()
    }
}
