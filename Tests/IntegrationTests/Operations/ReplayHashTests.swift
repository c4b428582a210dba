import Columnstore
import Foundation
import Testing

/// Replay validation with the real `projection-ingest` binary: a rebuild from sequence 1 into empty
/// tables, interrupted by `kill -9`, ends with the same state hash as uninterrupted consumption, on both
/// stores, and the two stores agree with each other.
@Suite("Replay validation", .serialized)
struct ReplayHashTests {
    @Test("a rebuild from scratch (with kill -9s) hashes the same as uninterrupted consumption, on both stores")
    func rebuildMatchesUninterrupted() async throws {
        let stream = DevStack.uniqueName("REPLAY").uppercased()
        let subject = stream.lowercased()
        // Large enough that a drain outlasts three restarts (ingest is fast: 6,000 orders were once
        // consumed before the first kill could land).
        let corpus = FactCorpus(subjectPrefix: subject, orders: 20_000, seed: 23)
        let last = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"])
        var digests: [String: [String: String]] = [:] // run → table → digest
        for kind in [StoreKind.postgres, .clickhouse] {
            for interrupted in [false, true] {
                let fixture = try await StoreFixture.make(kind, prefix: "replay")
                let ingest = IngestProcess(environment: [
                    "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
                    "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
                    "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "replay-\(kind.rawValue)-\(interrupted)",
                    "PROJECTION_BATCH_MAX_FACTS": "500",
                ])
                try ingest.start()
                let clock = ContinuousClock()
                var kills = 0
                var killedAt: UInt64 = 0
                // A stall guard, not a verdict: it gives up only after 120 s without the checkpoint moving
                // (a loaded machine drains slowly, but it drains).
                var progress: UInt64 = 0
                var stalledAfter = clock.now + .seconds(120)
                while clock.now < stalledAfter {
                    let checkpoint = await ingest.checkpoint()
                    if let checkpoint, checkpoint >= last { break }
                    if let checkpoint, checkpoint > progress { progress = checkpoint; stalledAfter = clock.now + .seconds(120) }
                    // Killed as soon as it made progress since its last start: mid-stream, whatever the speed.
                    if interrupted, kills < 3, let checkpoint, checkpoint > killedAt {
                        ingest.kill9()
                        kills += 1
                        killedAt = checkpoint
                        try ingest.start()
                    }
                    try await clock.sleep(for: .milliseconds(5))
                }
                #expect(await ingest.checkpoint() == last, "\(kind) caught up")
                _ = await ingest.terminate()
                if interrupted { #expect(kills == 3) }
                let tables = try await StateHashTests.hash(fixture)
                #expect(tables.map(\.table).sorted() == ["daily_sales", "orders"])
                #expect(tables.allSatisfy { $0.rowCount > 0 })
                digests["\(kind.rawValue)/\(interrupted ? "rebuilt" : "uninterrupted")"] = Dictionary(uniqueKeysWithValues: tables.map { ($0.table, $0.digest) })
                await fixture.drop()
            }
        }
        let reference = try #require(digests["postgres/uninterrupted"])
        for (run, tables) in digests {
            #expect(tables == reference, "\(run) differs from postgres/uninterrupted")
        }
        #expect(digests.count == 4)
        await FactPublisher.deleteStream(stream)
    }
}
