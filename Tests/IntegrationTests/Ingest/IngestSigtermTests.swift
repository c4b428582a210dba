import Columnstore
import Foundation
import JetStream
import Testing

/// SIGTERM drains the real `projection-ingest` (the in-process proof over fakes is
/// `GracefulShutdownTests`): the signal arrives while facts are still being published and fetched, the
/// process exits 0, JetStream holds nothing acked that the store has not written, and a restart takes up
/// the rest: every order exactly once, on both stores.
@Suite("SIGTERM drains projection-ingest", .serialized)
struct IngestSigtermTests {
    @Test("SIGTERM mid-stream: exit 0, acked only what is written, the restart ends exactly once", arguments: [StoreKind.postgres, .clickhouse])
    func sigtermMidStream(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "sigterm")
        let stream = DevStack.uniqueName("SIGTERM").uppercased()
        let subject = stream.lowercased()
        let durable = "sigterm-\(subject)"
        let corpus = FactCorpus(subjectPrefix: subject, orders: 2_000, seed: 77)
        let half = corpus.messages.count / 2
        _ = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: 0..<half)
        let environment = [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": fixture.dsn,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": durable,
            // Small batches, so several are fetched and written around the signal.
            "PROJECTION_BATCH_MAX_FACTS": "100", "PROJECTION_FETCH_BATCH": "50",
        ]
        var ingest = IngestProcess(environment: environment)
        try ingest.start()
        try await ingest.waitForCheckpoint(1)
        // The second half arrives while the signal does: fetches and batches are in flight, whatever the
        // machine's speed (how many is printed, not asserted).
        async let published = FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: half..<corpus.messages.count)
        let atSignal = await ingest.checkpoint() ?? 0
        let (exited, status) = await ingest.terminate(timeout: .seconds(60))
        let last = try await published
        #expect(exited && status == 0, "SIGTERM must drain and exit 0; log:\n\(ingest.log.suffix(2000))")

        // Nothing acked that is not written: JetStream's ack floor is at most the store's checkpoint.
        let written = try await Self.checkpoint(fixture)
        let connection = try await NATSConnection.connect(url: DevStack.natsURL, name: "projection-tests-sigterm")
        let info = try await connection.jetStream().consumerInfo(stream: stream, durable: durable)
        await connection.close()
        #expect(info.ackFloorStreamSequence <= written, "acked \(info.ackFloorStreamSequence), written \(written)")
        print("sigterm(\(kind.environmentValue)): checkpoint \(atSignal) at the signal, \(written) after the drain, ack floor \(info.ackFloorStreamSequence), \(info.numAckPending) delivered and left unacked, stream last \(last)")

        // The restart takes up what was left unacked or never fetched: nothing lost, nothing doubled.
        ingest = IngestProcess(environment: environment)
        try ingest.start()
        try await ingest.waitForCheckpoint(last, timeout: .seconds(180))
        let (stopped, _) = await ingest.terminate(timeout: .seconds(60))
        #expect(stopped)
        #expect(try await fixture.dailyTotals() == corpus.daily, "daily_sales: 0 lost, 0 doubled")
        #expect(try await fixture.orders() == corpus.orders, "orders: every order exactly once, latest version")
        #expect(try await fixture.quarantineCount() == corpus.poisonCount, "the quarantine holds exactly the poison facts")

        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }

    /// The consumer's committed stream sequence, as the store has it (ClickHouse: the newest checkpoint row).
    static func checkpoint(_ fixture: StoreFixture) async throws -> UInt64 {
        let rows = try await fixture.rows(
            """
            SELECT argMax(if(state = 'after', last_sequence, first_sequence - 1), (version, lease_epoch))
            FROM _projection_checkpoints WHERE projection = 'orders-analytics'
            """,
            postgres: "SELECT max(last_sequence) FROM _projection_checkpoints WHERE projection = 'orders-analytics'")
        return rows.first.flatMap { $0.first }.flatMap { UInt64($0) } ?? 0
    }
}
