import ClickHouseHTTP
import Columnstore
import Foundation
import Logging
import Testing
@testable import Ingest
@testable import ClickHouseBackend
@testable import PostgresBackend

/// The pipeline end to end against the real dev stack: NATS JetStream in, each real store out.
@Suite("Ingest pipeline (dev stack)", .serialized)
struct IngestPipelineTests {
    static func configuration(store: StoreFixture, stream: String, subject: String) throws -> IngestConfiguration {
        try IngestConfiguration(settings: SettingsSource(values: [
            "PROJECTION_STORE_KIND": store.kind.environmentValue,
            "PROJECTION_STORE_DSN": store.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL,
            "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>",
            "PROJECTION_DURABLE": "ingest-\(stream)",
            "PROJECTION_BATCH_MAX_FACTS": "700",
            "PROJECTION_BATCH_LINGER_MS": "50",
            "PORT_HTTP": "1",
        ]))
    }

    /// Runs a pipeline until its checkpoint reaches `last`, then stops it.
    static func runUntilCaughtUp<S: ProjectionStore>(_ configuration: IngestConfiguration, store: S, last: UInt64, timeout: Duration = .seconds(120)) async throws -> IngestStatus.Snapshot {
        let status = IngestStatus()
        var logger = Logger(label: "test.ingest")
        logger.logLevel = .error
        let pipeline = IngestPipeline(configuration: configuration, store: store, schema: .ordersAnalytics, status: status, logger: logger)
        let task = Task { try await pipeline.run() }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while status.snapshot.checkpoint < last, clock.now < deadline {
            try await clock.sleep(for: .milliseconds(50))
        }
        task.cancel()
        _ = try? await task.value
        return status.snapshot
    }

    func expectTotals(_ fixture: StoreFixture, _ corpus: FactCorpus) async throws {
        let daily = try await fixture.dailyTotals()
        #expect(daily == corpus.daily, "daily_sales must equal the independently computed totals")
        let orders = try await fixture.orders()
        #expect(orders == corpus.orders, "orders must hold the latest version of every order, once")
        #expect(try await fixture.quarantineCount() == corpus.poisonCount)
    }

    @Test("facts with duplicates and poison land exactly once", arguments: [StoreKind.postgres, .clickhouse])
    func exactTotals(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let stream = DevStack.uniqueName("IT").uppercased()
        let subject = stream.lowercased()
        defer { Task { await fixture.drop(); await FactPublisher.deleteStream(stream) } }
        let corpus = FactCorpus(subjectPrefix: subject, orders: 3_000)
        let last = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"])
        #expect(last == UInt64(corpus.messages.count))

        let configuration = try Self.configuration(store: fixture, stream: stream, subject: subject)
        let snapshot: IngestStatus.Snapshot
        switch kind {
        case .clickhouse:
            let store = ClickHouseProjectionStore(client: try ClickHouseClient(dsn: fixture.dsn), schema: .ordersAnalytics)
            snapshot = try await Self.runUntilCaughtUp(configuration, store: store, last: last)
        case .postgres:
            let store = PostgresProjectionStore(dsn: fixture.dsn, schema: .ordersAnalytics, logger: Logger(label: "test"))
            snapshot = try await Self.runUntilCaughtUp(configuration, store: store, last: last)
        }
        #expect(snapshot.checkpoint == last)
        // Caught up means no lag, even before the once-a-second look at the stream's end comes round.
        #expect(snapshot.lag == 0, "lag \(snapshot.lag) with the stream's end at \(snapshot.streamLastSequence)")
        #expect(snapshot.factsDuplicate == UInt64(corpus.duplicateCount))
        #expect(snapshot.factsQuarantined == UInt64(corpus.poisonCount))
        try await expectTotals(fixture, corpus)

        // A second run over the same stream (a restart) applies nothing twice. It stops as soon as its
        // checkpoint is loaded; the deadline is a hang guard (a 3 s one was missed on a loaded machine).
        let again: IngestStatus.Snapshot
        switch kind {
        case .clickhouse:
            let store = ClickHouseProjectionStore(client: try ClickHouseClient(dsn: fixture.dsn), schema: .ordersAnalytics)
            again = try await Self.runUntilCaughtUp(configuration, store: store, last: last)
        case .postgres:
            let store = PostgresProjectionStore(dsn: fixture.dsn, schema: .ordersAnalytics, logger: Logger(label: "test"))
            again = try await Self.runUntilCaughtUp(configuration, store: store, last: last)
        }
        #expect(again.checkpoint == last)
        #expect(again.factsApplied == 0)
        try await expectTotals(fixture, corpus)
    }
}
