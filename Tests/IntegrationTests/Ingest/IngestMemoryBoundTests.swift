import Columnstore
import Foundation
import JetStream
import Testing

/// Ingest memory is bounded by bytes, not only by counts: 200 facts of about 1 MB each, all waiting in
/// the stream before ingest starts, are applied with the default settings while the real process's peak
/// resident set stays under the bound docs/OPERATIONS.md derives from the byte settings (256 MB here).
/// Before the bound, the same run took ingest past 1 GB: one pull fetched 500 messages, whatever their size.
@Suite("Ingest memory bound", .serialized)
struct IngestMemoryBoundTests {
    static let facts = 200
    static let padding = 1_000_000 - 400

    @Test("200 facts of 1 MB: every one applied, peak RSS under 256 MB", arguments: [StoreKind.postgres, .clickhouse])
    func largeFacts(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "membound")
        let stream = DevStack.uniqueName("MEMBOUND").uppercased()
        let subject = stream.lowercased()
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "membound-test")
        let js = try connection.jetStream()
        try await js.ensureStream(name: stream, subjects: ["\(subject).>"], storage: .file)
        var last: UInt64 = 0
        for index in 0..<Self.facts {
            let fact = Self.largeOrder(index)
            #expect(fact.count > 990_000 && fact.count < 1_040_000)
            last = try await js.publish(subject: "\(subject).t1.orders.order_placed.v1", data: fact).sequence
        }
        await connection.close()

        var ingest = IngestProcess(environment: [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "membound-\(subject)",
        ])
        let clock = ContinuousClock()
        let startedAt = clock.now
        try ingest.start()
        try await ingest.waitForCheckpoint(last, timeout: .seconds(300))
        let drained = clock.now - startedAt
        let reached = await ingest.checkpoint() == last
        let peak = try #require(ingest.peakResidentBytes())
        _ = await ingest.terminate()
        ingest = IngestProcess(environment: [:])
        await FaultMatrixCell(
            fault: "large-facts", store: kind, facts: last, stalled: !reached, recovery: [drained],
            recoveryMeaning: "from ingest's start until all 200 waiting facts of 1 MB were applied", expected: Self.expected(subject: subject),
            fixture: fixture, note: "peak RSS \(peak >> 20) MB with the default byte bounds").write()

        let orders = try await fixture.orders()
        #expect(orders["t1"]?.count == Self.facts, "every large fact is applied")
        #expect(try await fixture.quarantineCount() == 0)
        #expect(peak < 256 << 20, "peak RSS \(peak >> 20) MB with \(Self.facts) facts of 1 MB")
        print("ingest-memory-bound \(kind): peak RSS \(peak >> 20) MB for \(Self.facts) facts of \(Self.padding / 1000) kB")
        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }

    /// What the store must hold afterwards: the large orders, once each.
    static func expected(subject: String) -> FactCorpus {
        var expected = FactCorpus(subjectPrefix: subject, orders: 0)
        for index in 0..<facts {
            let amount = Int64(100 + index)
            expected.orders["t1", default: [:]]["big-\(index)"] = FactCorpus.Order(customerID: "c-\(index % 7)", amountCents: amount, currency: "EUR", placedAt: "2026-03-01T10:00:00Z")
            expected.daily["t1", default: [:]]["2026-03-01", default: FactCorpus.DayTotals()].orderCount += 1
            expected.daily["t1", default: [:]]["2026-03-01", default: FactCorpus.DayTotals()].grossCents += amount
        }
        return expected
    }

    /// An order whose data carries a field no table maps, of about 1 MB: what a producer with a large
    /// payload sends. The mapped columns stay small; the message is what ingest holds.
    static func largeOrder(_ index: Int) -> [UInt8] {
        let event: [String: Any] = [
            "specversion": "1.0", "id": "big-\(index)", "source": "/tests", "type": "orders.order_placed.v1", "tenantid": "t1",
            "time": "2026-03-01T10:00:00Z",
            "data": ["order_id": "big-\(index)", "customer_id": "c-\(index % 7)", "amount_cents": 100 + index,
                     "currency": "EUR", "placed_at": "2026-03-01T10:00:00Z",
                     "notes": String(repeating: "n", count: padding)],
        ]
        return Array(try! JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]))
    }
}
