import HTTPGuards
import Synchronization
import Testing

/// `/readyz` on the query API runs a store round trip: concurrent probes share one, and a result is
/// reused for its time to live. No verdict depends on timing: the check is held open by the test.
@Suite("Shared readiness check")
struct SharedReadinessTests {
    /// Counts the checks and holds each open until the test lets it go (at once, once the gate is finished).
    final class GatedCheck: Sendable {
        let calls = Mutex(0)
        let gate: AsyncStream<Void>
        let open: AsyncStream<Void>.Continuation

        init() {
            (gate, open) = AsyncStream<Void>.makeStream()
        }

        func run() async -> (ready: Bool, detail: String) {
            calls.withLock { $0 += 1 }
            for await _ in gate {}
            return (true, "")
        }
    }

    @Test("concurrent probes share one check; its result answers later probes within the time to live")
    func singleFlightAndCached() async {
        let check = GatedCheck()
        let readiness = SharedReadiness(ttl: .seconds(3600)) { await check.run() }
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { await readiness.current().ready } }
            // Every probe is waiting on the one check; let it finish.
            while check.calls.withLock({ $0 }) == 0 { await Task.yield() }
            check.open.finish()
            for await ready in group { #expect(ready) }
        }
        #expect(await readiness.current().ready)
        #expect(check.calls.withLock { $0 } == 1)
    }

    @Test("past the time to live the next probe checks again")
    func expiredResultIsRechecked() async {
        let check = GatedCheck()
        check.open.finish()
        let readiness = SharedReadiness(ttl: .zero) { await check.run() }
        _ = await readiness.current()
        _ = await readiness.current()
        #expect(check.calls.withLock { $0 } == 2)
    }
}
