import Columnstore
import Foundation
import Testing

/// A store that stops answering is a retried failure, not a hung consumer: through a proxy that silently
/// swallows every byte (no RST, no FIN: TCP keepalives and tcp_user_timeout never fire, the kernel acks
/// everything), each store request ends at `PROJECTION_STORE_TIMEOUT_MS`, and once the network is back the
/// retry on a new connection applies every fact exactly once.
@Suite("Ingest store deadline", .serialized)
struct IngestStoreDeadlineTests {
    static let token = "deadline-admin-token-0123456789"

    @Test("a blackholed store: the step fails at its deadline and is retried; then every fact lands", arguments: [StoreKind.postgres, .clickhouse])
    func blackholedStore(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "deadline")
        var target = URLComponents(string: fixture.dsn)!
        let proxy = try await BlackholeProxy.start(targetHost: target.host ?? "127.0.0.1", targetPort: target.port ?? (kind == .postgres ? 5432 : 8123))
        target.host = "127.0.0.1"
        target.port = proxy.port
        let stream = DevStack.uniqueName("DEADLINE").uppercased()
        let subject = stream.lowercased()
        let corpus = FactCorpus(subjectPrefix: subject, orders: 200, seed: 21)
        let half = corpus.messages.count / 2
        let firstLast = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: 0..<half)
        let ingest = IngestProcess(environment: [
            "PROJECTION_STORE_KIND": kind.environmentValue, "PROJECTION_STORE_DSN": target.string!,
            "PROJECTION_NATS_URL": DevStack.natsURL, "PROJECTION_STREAM": stream,
            "PROJECTION_SUBJECTS": "\(subject).>", "PROJECTION_DURABLE": "deadline-\(subject)",
            "PROJECTION_STORE_TIMEOUT_MS": "2000", "PROJECTION_ADMIN_TOKEN": Self.token,
        ])
        try ingest.start()
        try await ingest.waitForCheckpoint(firstLast)

        // The store goes silent while more facts arrive: steps fail at their deadline, nothing is applied.
        proxy.blackhole()
        let last = try await FactPublisher.publish(corpus, stream: stream, subjects: ["\(subject).>"], range: half..<corpus.messages.count)
        var sawDeadline = false
        for _ in 0..<300 where !sawDeadline {
            try await ContinuousClock().sleep(for: .milliseconds(100))
            let error = "\(await ingest.request("GET", "/admin/ingestion", token: Self.token)?.body["last_error"] ?? "")"
            sawDeadline = error.contains("client-side deadline") || error.contains("timed out after 2")
        }
        #expect(sawDeadline, "the blocked step failed at its deadline; log:\n\(ingest.log.suffix(1500))")
        #expect(ingest.isRunning)
        #expect(await ingest.checkpoint() == firstLast, "nothing applied while the store is silent")

        // The network is back: the retry runs on a new connection and every fact lands once.
        proxy.restore()
        try await ingest.waitForCheckpoint(last, timeout: .seconds(120))
        _ = await ingest.terminate()
        #expect(try await fixture.orders() == corpus.orders, "every order exactly once, latest version")
        #expect(try await fixture.dailyTotals() == corpus.daily, "aggregates counted once despite the failed attempts")
        await proxy.stop()
        await FactPublisher.deleteStream(stream)
        await fixture.drop()
    }
}
