import ClickHouseHTTP
import Columnstore
import Foundation
import Logging
import Testing
@testable import ClickHouseBackend
@testable import Ingest
@testable import PostgresBackend

/// Another durable on another stream writing the same tables (`BatchScopeTests`): both number their
/// facts from 1, so both can quarantine the same sequence. An entry is (consumer, partition, sequence):
/// before internal tables version 6, Postgres dropped the second entry (`ON CONFLICT DO NOTHING`, rule 1),
/// ClickHouse merged the two into one, and on ClickHouse one durable's entry hid the other's applied key
/// at that sequence (a re-sent duplicate was applied again) and its removal deleted that key. Each store,
/// migrated by the committed `sql/`.
@Suite("Quarantine per consumer (dev stack)", .serialized)
struct QuarantineConsumerTests {
    static let projection = "orders-analytics"

    static func consumer(_ name: String) -> ConsumerID { ConsumerID(projection: projection, consumer: name) }

    static func poison(_ sequences: [UInt64], by name: String) -> [QuarantinedFact] {
        sequences.map {
            QuarantinedFact(sequence: $0, subject: "\(name).t1.orders.order_placed.v1", factID: "f-\(name)-\($0)", tenant: "t1",
                            reason: "poison of \(name)", raw: Array("{not json \(name) \($0)".utf8))
        }
    }

    /// Runs a batch through every step of the store's guarantee; the outcome its writing step reported.
    @discardableResult
    static func write<S: ProjectionStore>(_ payload: BatchPayload, to store: S) async throws -> BatchOutcome {
        _ = try await store.loadCheckpoint(payload.consumer)
        var outcome: BatchOutcome?
        for step in S.Guarantee.steps {
            if let reported = try await store.run(step, payload) { outcome = reported }
        }
        return try #require(outcome)
    }

    /// The first mappable fact of a corpus, numbered `sequence` (a producer's re-send gets a new one).
    static func fact(_ corpus: FactCorpus, sequence: UInt64) throws -> MappedFact {
        let schema = try ProjectionSchema.resolve(descriptorSetPath: nil, projection: projection)
        let decoder = FactDecoder(maxFactBytes: 1 << 20)
        let mapper = FactMapper(schema: schema)
        for message in corpus.messages {
            guard let fact = try? decoder.decode(body: message.body, header: { message.headers[$0] }),
                  let mapped = try? mapper.map(fact, sequence: sequence, subject: message.subject), !mapped.rows.isEmpty else { continue }
            return mapped
        }
        throw StoreError(code: .unexpectedResponse, detail: "no mappable fact in the corpus")
    }

    func check<S: ProjectionStore>(_ store: S, _ fixture: StoreFixture, kind: StoreKind) async throws {
        let a = Self.consumer("durable-a"), b = Self.consumer("durable-b")
        let range = SequenceRange(first: 5, last: 7)
        try await Self.write(BatchPayload(consumer: a, range: range, facts: [], quarantined: Self.poison([5, 7], by: "durable-a")), to: store)
        try await Self.write(BatchPayload(consumer: b, range: range, facts: [], quarantined: Self.poison([5, 7], by: "durable-b")), to: store)

        let key = { (name: String, sequence: UInt64) in QuarantineKey(partition: 0, sequence: sequence, consumer: name) }
        let all = [key("durable-a", 5), key("durable-b", 5), key("durable-a", 7), key("durable-b", 7)]
        #expect(try await fixture.quarantineKeys() == all.sorted(), "\(kind): equal sequences of two durables are both kept")
        let listed = try await store.quarantined(projection: Self.projection, partition: nil, tenant: nil, after: nil, limit: 100)
        #expect(listed.map(\.key) == all, "\(kind): ordered by (sequence, partition, consumer)")
        #expect(listed.allSatisfy { $0.reason == "poison of \($0.consumer)" && $0.raw == Array("{not json \($0.consumer) \($0.sequence)".utf8) },
                "\(kind): each entry keeps its own fact")
        let ownA = try await store.quarantined(projection: Self.projection, consumers: ["durable-a"], partition: 0, tenant: nil, after: nil, limit: 100)
        #expect(ownA.map(\.key) == [key("durable-a", 5), key("durable-a", 7)], "\(kind): one durable's entries")
        let both = try await store.quarantined(projection: Self.projection, consumers: ["durable-a", "durable-b", ""], partition: 0, tenant: nil, after: nil, limit: 100)
        #expect(both.map(\.key) == all, "\(kind): several durables' entries")
        #expect(try await store.quarantined(projection: Self.projection, consumers: [""], partition: 0, tenant: nil, after: nil, limit: 100).isEmpty,
                "\(kind): no entry names none here")
        var paged: [QuarantineKey] = []
        var after: QuarantineKey?
        while let next = try await store.quarantined(projection: Self.projection, partition: 0, tenant: nil, after: after, limit: 1).first {
            paged.append(next.key)
            after = next.key
        }
        #expect(paged == all, "\(kind): pages of one neither skip nor repeat")

        // Durable b applies a fact at sequence 10; durable a quarantines its own sequence 10.
        let corpus = FactCorpus(subjectPrefix: "qc", tenants: ["t1"], orders: 5, seed: 21)
        let applied = try await Self.write(
            BatchPayload(consumer: b, range: SequenceRange(first: 10, last: 10), facts: [try Self.fact(corpus, sequence: 10)], quarantined: []), to: store)
        #expect(applied.applied == 1)
        try await Self.write(BatchPayload(consumer: a, range: SequenceRange(first: 10, last: 10), facts: [], quarantined: Self.poison([10], by: "durable-a")),
                             to: store)
        // Its producer re-sends that fact (a new sequence, past the duplicate window): still a duplicate.
        let resent = try await Self.write(
            BatchPayload(consumer: b, range: SequenceRange(first: 11, last: 11), facts: [try Self.fact(corpus, sequence: 11)], quarantined: []), to: store)
        #expect(resent.applied == 0 && resent.duplicates == 1, "\(kind): another durable's entry at the same sequence hides no applied key: \(resent)")

        // Removing durable a's entries (a re-drive or a skip) leaves durable b's, and b's applied key: its
        // record at sequence 10 itself (a re-send's own key row would answer for it otherwise).
        let keyRowsAt10 = "SELECT count(*) FROM _projection_seen_keys WHERE projection = 'orders-analytics' AND stream_sequence = 10"
        #expect(try await fixture.rows(keyRowsAt10, postgres: keyRowsAt10) == [["1"]])
        try await store.removeQuarantined(projection: Self.projection, keys: [key("durable-a", 5), key("durable-a", 10)])
        #expect(try await fixture.quarantineKeys() == [key("durable-b", 5), key("durable-a", 7), key("durable-b", 7)].sorted(),
                "\(kind): only the named entries go")
        #expect(try await fixture.rows(keyRowsAt10, postgres: keyRowsAt10) == [["1"]], "\(kind): removing another durable's entry forgets no applied key")
        let again = try await Self.write(
            BatchPayload(consumer: b, range: SequenceRange(first: 12, last: 12), facts: [try Self.fact(corpus, sequence: 12)], quarantined: []), to: store)
        #expect(again.applied == 0 && again.duplicates == 1, "\(kind): still a duplicate: \(again)")
    }

    /// A rebuild's store refused a fact of tenant t2 (its batch recorded the key first, its entry excludes
    /// it). A tenant cutover moves the entry to the live durable with its scope, and not the refused key:
    /// copied, that key would count as applied and the entry's re-drive would be dropped as a duplicate.
    @Test("a ClickHouse tenant cutover moves a refused fact's entry with its scope, and not its key")
    func tenantCutoverLeavesRefusedKeys() async throws {
        let fixture = try await StoreFixture.make(.clickhouse, prefix: "qcut")
        let client = try ClickHouseClient(dsn: fixture.dsn)
        for table in ProjectionSchema.ordersAnalytics.tables {
            try await client.execute("CREATE TABLE \(table.name)\(RebuildGeneration.rebuildSuffix) AS \(table.name)")
        }
        let rebuild = "\(Self.projection)\(RebuildGeneration.rebuildSuffix)", scope = "durable-a\(RebuildGeneration.rebuildSuffix)/p0"
        try await client.execute(
            """
            INSERT INTO _projection_seen_keys (projection, fact_type, tenant_id, idempotency_key, stream_sequence, seen_at, batch, partition)
            SELECT {r:String}, 'orders.order_placed.v1', 't2', k, s, now64(3), {b:String}, 0
            FROM (SELECT arrayJoin([('applied', 1), ('refused', 2)]) AS x, x.1 AS k, toUInt64(x.2) AS s)
            """, parameters: ["r": rebuild, "b": "\(scope)/1-2"])
        try await client.execute(
            """
            INSERT INTO _projection_quarantine (projection, stream_sequence, subject, fact_id, fact_type, tenant_id, reason, raw, headers,
                                                quarantined_at, partition, consumer, batch_scope)
            SELECT {r:String}, 2, 's', 'refused', 'orders.order_placed.v1', 't2', 'store_rejected: x', 'raw', '{}', now64(3), 0, {c:String}, {s:String}
            """, parameters: ["r": rebuild, "c": "durable-a\(RebuildGeneration.rebuildSuffix)", "s": scope])
        try await ClickHouseRebuilder(client: client, schema: .ordersAnalytics)
            .cutoverTenant("t2", generation: RebuildGeneration(live: Self.consumer("durable-a")), liveCheckpoint: 10)
        let keys = try await fixture.rows(
            "SELECT idempotency_key, batch, toString(partition) FROM _projection_seen_keys WHERE projection = 'orders-analytics' ORDER BY 1", postgres: "")
        #expect(keys == [["applied", "\(scope)/1-2", "0"]], "the refused fact's key stays behind; the applied one keeps its batch")
        let entries = try await fixture.rows(
            "SELECT toString(stream_sequence), consumer, batch_scope FROM _projection_quarantine FINAL WHERE projection = 'orders-analytics'", postgres: "")
        #expect(entries == [["2", "durable-a", scope]], "the entry is the live durable's, with its scope")

        // Another durable quarantines its own fact at sequence 1 (its stream numbers from 1 too), then a
        // producer re-sends the applied fact into the live stream: still seen. A copied key without its
        // batch was hidden by any entry at its sequence, and the re-send was applied twice.
        try await Self.write(BatchPayload(consumer: Self.consumer("durable-b"), range: SequenceRange(first: 1, last: 1), facts: [],
                                          quarantined: Self.poison([1], by: "durable-b")), to: ClickHouseProjectionStore(client: client, schema: .ordersAnalytics))
        let live = Self.consumer("durable-a"), resent = SequenceRange(first: 60, last: 60)
        let liveScope = ClickHouseBatchScope.current(for: live)
        try await client.execute(
            """
            INSERT INTO _projection_seen_keys (projection, fact_type, tenant_id, idempotency_key, stream_sequence, seen_at, batch, partition)
            SELECT 'orders-analytics', 'orders.order_placed.v1', 't2', 'applied', 60, now64(3), {b:String}, 0
            """, parameters: ["b": liveScope.batchID(resent)])
        let seen = try await ClickHouseProjectionStore(client: client, schema: .ordersAnalytics)
            .keysSeenBefore(BatchPayload(consumer: live, range: resent, facts: [], quarantined: []), scope: liveScope)
        #expect(seen.map(\.key) == ["applied"], "the re-sent fact counts as applied")
        await fixture.drop()
    }

    @Test("two durables quarantining the same sequence keep both entries; each entry is listed and removed alone", arguments: [StoreKind.postgres, .clickhouse])
    func sameSequenceTwoDurables(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "qconsumer")
        switch kind {
        case .postgres:
            try await check(PostgresProjectionStore(dsn: fixture.dsn, schema: .ordersAnalytics, logger: Logger(label: "test.quarantine")), fixture, kind: kind)
        case .clickhouse:
            try await check(ClickHouseProjectionStore(client: try ClickHouseClient(dsn: fixture.dsn), schema: .ordersAnalytics), fixture, kind: kind)
        }
        await fixture.drop()
    }
}
