import Columnstore
import Foundation
import JetStream
import Testing

/// `PROJECTION_START_AT` on the real binary and both stores: `new` applies only facts published after the
/// first start, `time:` only facts stored from then on; the choice is recorded as the checkpoint, so a
/// restart with another setting does not decide again.
@Suite("Start positions", .serialized)
struct StartPositionIngestTests {
    @Test("new, then a restart with sequence:1 does not rewind; time: skips what came before", arguments: [StoreKind.postgres, .clickhouse])
    func startPositions(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "start")
        let stream = DevStack.uniqueName("START").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: 120, seed: 41)
        let third = corpus.messages.count / 3
        let before = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: 0..<third)
        var environment = Self.environment(kind, fixture, stream: stream, startAt: "new")
        var ingest = IngestProcess(environment: environment)
        try ingest.start()
        try await ingest.waitForCheckpoint(before)
        #expect(try await fixture.orders().values.map(\.count).reduce(0, +) == 0, "new: nothing published before the first start")
        let middle = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: third..<(2 * third))
        try await ingest.waitForCheckpoint(middle)
        _ = await ingest.terminate()

        // A restart asking for sequence:1 keeps the recorded start: nothing before it is applied.
        environment["PROJECTION_START_AT"] = "sequence:1"
        ingest = IngestProcess(environment: environment)
        try ingest.start()
        let last = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: (2 * third)..<corpus.messages.count)
        try await ingest.waitForCheckpoint(last)
        _ = await ingest.terminate()
        let applied = try await fixture.orders()
        let expected = Self.orders(corpus, messages: third..<corpus.messages.count)
        #expect(Set(applied.flatMap { tenant, byID in byID.keys.map { "\(tenant)/\($0)" } }) == expected)

        // A second consumer (its own durable and namespace) starting at a time: only facts stored since.
        let fixture2 = try await StoreFixture.make(kind, prefix: "start")
        let cut = Date()
        try await ContinuousClock().sleep(for: .milliseconds(1100))
        // (The stream's times are the server's clock, the same machine's.)
        var corpus2 = FactCorpus(subjectPrefix: subject, tenants: ["late1", "late2"], orders: 30, seed: 42)
        // Message ids of their own, or the stream's duplicate window would drop them as the first corpus' retries.
        corpus2.messages = corpus2.messages.map { var m = $0; m.messageID = "late-" + m.messageID; return m }
        let last2 = try await FactPublisher.publish(corpus2, stream: stream, subjects: ["\(subject).>"])
        environment["PROJECTION_STORE_DSN"] = fixture2.dsn
        environment["PROJECTION_DURABLE"] = "start-time-\(subject)"
        environment["PROJECTION_START_AT"] = "time:" + RFC3339.format(milliseconds: Int64(cut.timeIntervalSince1970 * 1000))
        #expect(try await Self.applyThrough(last2, environment: environment, fixture: fixture2) == Self.orders(corpus2, messages: 0..<corpus2.messages.count))

        await FactPublisher.deleteStream(stream)
        await fixture.drop()
        await fixture2.drop()
    }

    @Test("new on a stream that never held a message, stopped before its first batch: a restart skips nothing published since",
          arguments: [StoreKind.postgres, .clickhouse])
    func newOnEmptyStream(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "start")
        let stream = DevStack.uniqueName("STARTE").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: 60, seed: 43)
        let empty = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: 0..<0)
        #expect(empty == 0)
        let environment = Self.environment(kind, fixture, stream: stream, startAt: "new")
        let ingest = IngestProcess(environment: environment)
        try ingest.start()
        // Bound to its consumer: the start position was decided (skip nothing), with no batch committed yet.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(60)
        while clock.now < deadline, await ingest.admin()?["consumer_bound"] as? Bool != true {
            try await clock.sleep(for: .milliseconds(100))
        }
        #expect(await ingest.admin()?["consumer_bound"] as? Bool == true, "ingest did not bind; log:\n\(ingest.log.suffix(2000))")
        _ = await ingest.terminate()

        // Published while it was down: after the first start, so a restart applies all of it.
        let last = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"])
        #expect(try await Self.applyThrough(last, environment: environment, fixture: fixture) == Self.orders(corpus, messages: 0..<corpus.messages.count))

        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }

    /// An ingest of `stream` into the fixture's store, its durable named after the stream.
    static func environment(_ kind: StoreKind, _ fixture: StoreFixture, stream: String, startAt: String) -> [String: String] {
        let subject = stream.lowercased()
        return ["PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
                "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
                "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "start-\(subject)", "PROJECTION_START_AT": startAt]
    }

    /// Runs an ingest until its checkpoint reaches `sequence`; the tenant/order_id of the orders applied.
    static func applyThrough(_ sequence: UInt64, environment: [String: String], fixture: StoreFixture) async throws -> Set<String> {
        let ingest = IngestProcess(environment: environment)
        try ingest.start()
        try await ingest.waitForCheckpoint(sequence)
        _ = await ingest.terminate()
        return Set(try await fixture.orders().flatMap { tenant, byID in byID.keys.map { "\(tenant)/\($0)" } })
    }

    /// tenant/order_id of the valid orders placed by these messages (poison left out).
    static func orders(_ corpus: FactCorpus, messages: Range<Int>) -> Set<String> {
        var result = Set<String>()
        for message in corpus.messages[messages] {
            guard let object = try? JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any],
                  object["type"] as? String == "orders.order_placed.v1", let tenant = object["tenantid"] as? String,
                  let data = object["data"] as? [String: Any], let id = data["order_id"] as? String,
                  corpus.orders[tenant]?[id] != nil else { continue }
            result.insert("\(tenant)/\(id)")
        }
        return result
    }
}
