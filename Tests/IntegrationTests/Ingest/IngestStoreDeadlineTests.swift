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
        let silenced = try await SilencedStore.make(kind, prefix: "deadline", seed: 21, extra: [
            "PROJECTION_STORE_TIMEOUT_MS": "2000", "PROJECTION_ADMIN_TOKEN": Self.token,
        ])
        let (fixture, proxy, corpus, firstLast) = (silenced.fixture, silenced.proxy, silenced.corpus, silenced.firstLast)
        let ingest = IngestProcess(environment: silenced.environment)
        try ingest.start()
        try await ingest.waitForCheckpoint(firstLast)

        // The store goes silent while more facts arrive: steps fail at their deadline, nothing is applied.
        proxy.blackhole()
        let last = try await silenced.publishRest()
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
        await silenced.tearDown()
    }
}
