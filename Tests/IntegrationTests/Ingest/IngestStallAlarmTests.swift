import Columnstore
import Foundation
import Testing

/// Freshness you can alert on, against a store that stops answering: lag in seconds grows, the stall alarm
/// fails `/readyz` naming it and sets `projection_stalled`, and all of it recovers once the store is back.
@Suite("Ingest stall alarm", .serialized)
struct IngestStallAlarmTests {
    static let token = "stall-admin-token-0123456789"

    @Test("a silent store: not ready as stalled, lag in seconds grows; ready again once it answers", arguments: [StoreKind.postgres, .clickhouse])
    func stallAndRecover(kind: StoreKind) async throws {
        let silenced = try await SilencedStore.make(kind, prefix: "stall", seed: 31, extra: [
            "PROJECTION_STORE_TIMEOUT_MS": "3000", "PROJECTION_STALL_AFTER_MS": "2000", "PROJECTION_ADMIN_TOKEN": Self.token,
        ])
        let (fixture, proxy, corpus, firstLast) = (silenced.fixture, silenced.proxy, silenced.corpus, silenced.firstLast)
        let ingest = IngestProcess(environment: silenced.environment)
        try ingest.start()
        try await ingest.waitForCheckpoint(firstLast)
        #expect(await ingest.get("/readyz") == 200)

        proxy.blackhole()
        let last = try await silenced.publishRest()
        // Generous waits: the verdict is what the status says, not how soon.
        var stalledBody = ""
        for _ in 0..<600 where stalledBody.isEmpty {
            try await ContinuousClock().sleep(for: .milliseconds(100))
            if let reply = await ingest.readyz(), reply.status == 503, reply.body.contains("stalled") { stalledBody = reply.body }
        }
        #expect(stalledBody.contains("PROJECTION_STALL_AFTER_MS"), "readyz: \(stalledBody)")
        let status = try #require(await ingest.admin())
        #expect(status["stalled"] as? Bool == true)
        #expect((status["lag"] as? NSNumber)?.intValue ?? 0 > 0)
        #expect((status["lag_seconds"] as? NSNumber)?.doubleValue ?? 0 > 0, "\(status)")
        // The gauge and the log line come from a once-a-second watch: wait for them.
        var gauge = ""
        for _ in 0..<300 {
            gauge = await ingest.metricsText().split(separator: "\n").first { $0.hasPrefix("projection_stalled{") }.map(String.init) ?? ""
            if gauge.hasSuffix(" 1.0") { break }
            try await ContinuousClock().sleep(for: .milliseconds(100))
        }
        #expect(gauge.hasSuffix(" 1.0"), "projection_stalled: \(gauge)")
        #expect(ingest.log.contains("stalled: facts are pending"))

        proxy.restore()
        try await ingest.waitForCheckpoint(last, timeout: .seconds(120))
        var ready = false
        for _ in 0..<600 where !ready {
            ready = await ingest.get("/readyz") == 200
            if !ready { try await ContinuousClock().sleep(for: .milliseconds(100)) }
        }
        #expect(ready, "ready again once the checkpoint moves")
        let after = try #require(await ingest.admin())
        #expect(after["stalled"] as? Bool == false)
        #expect((after["lag_seconds"] as? NSNumber)?.doubleValue == 0)
        _ = await ingest.terminate()
        #expect(try await fixture.orders() == corpus.orders)
        await silenced.tearDown()
    }
}
