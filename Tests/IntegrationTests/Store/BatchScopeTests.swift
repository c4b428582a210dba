import ClickHouseHTTP
import Columnstore
import Foundation
import Logging
import Testing
@testable import ClickHouseBackend
@testable import Ingest
@testable import PostgresBackend

/// Two sequence spaces writing the same tables: another durable on another stream, or the same stream
/// read again under a new durable. Each is numbered from 1, so their batches have equal ranges. On
/// ClickHouse the deduplication tokens and the seen-key check name the batch's scope (consumer and
/// partition, `ClickHouseBatchScope`); before, equal ranges shared a token and ClickHouse dropped the
/// second stream's rows as a retry, and a stream read again was applied twice once its tokens had left
/// the deduplication window. Both stores must hold every fact exactly once.
@Suite("Batch scopes: two sequence spaces, one set of tables (dev stack)", .serialized)
struct BatchScopeTests {
    static let projection = "orders-analytics"

    /// A corpus's mapped facts numbered from 1 as one stream holds them (poison facts left out).
    static func facts(_ corpus: FactCorpus) throws -> [MappedFact] {
        let schema = try ProjectionSchema.resolve(descriptorSetPath: nil, projection: projection)
        let decoder = FactDecoder(maxFactBytes: 1 << 20)
        let mapper = FactMapper(schema: schema)
        var facts: [MappedFact] = []
        for (i, message) in corpus.messages.enumerated() {
            guard let fact = try? decoder.decode(body: message.body, header: { message.headers[$0] }),
                  let mapped = try? mapper.map(fact, sequence: UInt64(i + 1), subject: message.subject) else { continue }
            facts.append(mapped)
        }
        return facts
    }

    /// Writes `facts` as consecutive batches of `size` facts through every step of the store's guarantee.
    static func write<S: ProjectionStore>(_ facts: [MappedFact], consumer: String, batch size: Int, to store: S) async throws {
        let id = ConsumerID(projection: projection, consumer: consumer)
        _ = try await store.loadCheckpoint(id)
        for start in stride(from: 0, to: facts.count, by: size) {
            let chunk = Array(facts[start..<min(start + size, facts.count)])
            let payload = BatchPayload(consumer: id, range: SequenceRange(first: chunk.first!.sequence, last: chunk.last!.sequence),
                                       facts: chunk, quarantined: [])
            for step in S.Guarantee.steps { _ = try await store.run(step, payload) }
        }
    }

    static func merged<V>(_ a: [String: [String: V]], _ b: [String: [String: V]]) -> [String: [String: V]] {
        a.merging(b) { x, y in x.merging(y) { first, _ in first } }
    }

    static func withStore(_ kind: StoreKind, prefix: String, _ body: (any ProjectionStore, StoreFixture) async throws -> Void) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: prefix)
        switch kind {
        case .postgres:
            try await body(PostgresProjectionStore(dsn: fixture.dsn, schema: .ordersAnalytics, logger: Logger(label: "test.scope")), fixture)
        case .clickhouse:
            try await body(ClickHouseProjectionStore(client: try ClickHouseClient(dsn: fixture.dsn), schema: .ordersAnalytics), fixture)
        }
        await fixture.drop()
    }

    @Test("another durable on another stream (sequences from 1 again) into the same tables: nothing dropped", arguments: [StoreKind.postgres, .clickhouse])
    func anotherStream(kind: StoreKind) async throws {
        // Other tenants, so no fact of one stream is a duplicate of the other's.
        let first = FactCorpus(subjectPrefix: "scope-a", tenants: ["a1", "a2"], orders: 60, seed: 11)
        let second = FactCorpus(subjectPrefix: "scope-b", tenants: ["b1", "b2"], orders: 60, seed: 12)
        try await Self.withStore(kind, prefix: "scope") { store, fixture in
            try await Self.write(try Self.facts(first), consumer: "durable-a", batch: 10, to: store)
            try await Self.write(try Self.facts(second), consumer: "durable-b", batch: 10, to: store)
            #expect(try await fixture.dailyTotals() == Self.merged(first.daily, second.daily), "\(kind): daily totals of both streams")
            #expect(try await fixture.orders() == Self.merged(first.orders, second.orders), "\(kind): every order of both streams")
        }
    }

    @Test("the same stream read again under a new durable, cut into other batches: every fact once", arguments: [StoreKind.postgres, .clickhouse])
    func sameStreamAgain(kind: StoreKind) async throws {
        let corpus = FactCorpus(subjectPrefix: "scope-again", tenants: ["t1", "t2"], orders: 60, seed: 13)
        let facts = try Self.facts(corpus)
        try await Self.withStore(kind, prefix: "scope") { store, fixture in
            try await Self.write(facts, consumer: "durable-old", batch: 10, to: store)
            try await Self.write(facts, consumer: "durable-new", batch: 7, to: store)
            #expect(try await fixture.dailyTotals() == corpus.daily, "\(kind): no fact applied twice")
            #expect(try await fixture.orders() == corpus.orders)
        }
    }

    @Test("a batch left pending by an earlier release is re-formed under its old tokens and seen-key rule")
    func legacyPendingBatch() async throws {
        let corpus = FactCorpus(subjectPrefix: "scope-legacy", tenants: ["t1", "t2"], orders: 40, seed: 14)
        let facts = try Self.facts(corpus)
        let half = facts.count / 2
        let consumer = ConsumerID(projection: Self.projection, consumer: "durable-legacy")
        try await Self.withStore(.clickhouse, prefix: "scope") { _, fixture in
            let client = try ClickHouseClient(dsn: fixture.dsn)
            // The earlier release: its intent (no scope) and its inserts, then a crash before the checkpoint.
            let pending = Array(facts[..<half])
            let payload = BatchPayload(consumer: consumer, range: SequenceRange(first: pending.first!.sequence, last: pending.last!.sequence),
                                       facts: pending, quarantined: [])
            let crashed = ClickHouseProjectionStore(client: client, schema: .ordersAnalytics)
            try await crashed.insertCheckpointRow(consumer, first: payload.range.first, last: payload.range.last, after: false,
                                                  epoch: 0, version: payload.range.last * 2, scope: .legacy)
            #expect(try await crashed.loadCheckpoint(consumer) == StoredCheckpoint(committed: payload.range.first - 1, pending: payload.range))
            #expect(crashed.scope(of: payload) == .legacy)
            _ = try await crashed.run(.insertRows, payload)

            // This release loads the pending batch and runs it again from the intent: the inserts that
            // reached the store are dropped by their old tokens, so nothing is applied twice.
            let store = ClickHouseProjectionStore(client: client, schema: .ordersAnalytics)
            #expect(try await store.loadCheckpoint(consumer).pending == payload.range)
            #expect(store.scope(of: payload) == .legacy, "the pending batch keeps the scope its intent recorded")
            for step in ClickHouseProjectionStore.Guarantee.steps { _ = try await store.run(step, payload) }
            #expect(try await store.loadCheckpoint(consumer) == StoredCheckpoint(committed: payload.range.last))
            #expect(store.scope(of: payload) == .current(for: consumer), "the next batches use the current scope")

            // The rest under the current scope; duplicates of the legacy batch's facts are skipped.
            let rest = Array(facts[half...])
            let next = BatchPayload(consumer: consumer, range: SequenceRange(first: rest.first!.sequence, last: rest.last!.sequence),
                                    facts: rest, quarantined: [])
            for step in ClickHouseProjectionStore.Guarantee.steps { _ = try await store.run(step, next) }
            #expect(try await fixture.dailyTotals() == corpus.daily)
            #expect(try await fixture.orders() == corpus.orders)
        }
    }
}
