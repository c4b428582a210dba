import Columnstore
import Testing
@testable import Ingest

/// A batch whose COMMIT went through but whose reply never came back (a dropped connection, the client's
/// deadline) is retried by the pipeline. The retry must be answered as done: before, Postgres found the
/// checkpoint already at the batch's end, threw `checkpoint_conflict`, and the pipeline retried it every
/// few seconds for ever, stalling the stream until a restart.
@Suite("A retried batch that had committed (lost COMMIT reply) is done, not a conflict (dev stack)", .serialized)
struct LostCommitReplyTests {
    @Test("the same batch written again after it committed: no error, nothing applied twice, the next batch goes on",
          arguments: [StoreKind.postgres, .clickhouse])
    func retryAfterCommit(kind: StoreKind) async throws {
        let corpus = FactCorpus(subjectPrefix: "lost-reply", tenants: ["t1", "t2"], orders: 40, seed: 21)
        let facts = try BatchScopeTests.facts(corpus)
        let id = ConsumerID(projection: BatchScopeTests.projection, consumer: "durable-lost-reply")
        let cut = facts.count / 2
        func payload(_ chunk: ArraySlice<MappedFact>) -> BatchPayload {
            BatchPayload(consumer: id, range: SequenceRange(first: chunk.first!.sequence, last: chunk.last!.sequence), facts: Array(chunk), quarantined: [])
        }
        try await BatchScopeTests.withStore(kind, prefix: "lostreply") { store, fixture in
            _ = try await store.loadCheckpoint(id)
            let first = payload(facts[..<cut])
            try await Self.write(first, to: store)
            // The retry of the committed batch.
            try await Self.write(first, to: store)
            #expect(try await store.loadCheckpoint(id).committed == first.range.last, "\(kind): checkpoint at the batch's end")
            try await Self.write(payload(facts[cut...]), to: store)
            #expect(try await fixture.dailyTotals() == corpus.daily, "\(kind): daily totals count every fact once")
            #expect(try await fixture.orders() == corpus.orders, "\(kind): every order once")
        }
    }

    static func write<S: ProjectionStore>(_ payload: BatchPayload, to store: S) async throws {
        for step in S.Guarantee.steps { _ = try await store.run(step, payload) }
    }
}
