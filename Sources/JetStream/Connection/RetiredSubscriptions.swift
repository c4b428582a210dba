import CNATS
import Synchronization

/// Subscriptions already unsubscribed but not yet freed.
///
/// libnats 3.4.1's read loop looks a subscription up, drops the lookup's lock and then uses it without
/// holding a reference (nats.c #637, fixed upstream in 3.6.1). Freeing a subscription while a delivery for
/// it is being read (an abandoned pull's late messages; a KV watcher's next update, while key listings
/// used one) was a use-after-free: the replica crash in `strdup` on a freed object (docs/RELIABILITY.md).
/// So a subscription is first unsubscribed, which takes it out of the lookup, and freed only after a
/// flush: its PONG is read by the same read loop after whatever message it was handling, so by then
/// nothing holds the old pointer. Closing the connection joins the read loop, so whatever is still
/// parked is freed then.
final class RetiredSubscriptions: Sendable {
    private let parked = Mutex<[@Sendable () -> Void]>([])

    /// Keeps `destroy` (which frees an unsubscribed subscription, or what owns one) for the next fence.
    func park(_ destroy: @escaping @Sendable () -> Void) {
        parked.withLock { $0.append(destroy) }
    }

    /// Fences the read loop with a flush and frees what was parked before it. Blocking: run it on one of
    /// the connection's queues. A failed flush (disconnected) leaves them for the next fence or the close.
    func reap(_ connection: OpaquePointer, timeoutMillis: Int64 = 2_000) {
        let batch = take()
        guard !batch.isEmpty else { return }
        guard natsConnection_FlushTimeout(connection, timeoutMillis) == NATS_OK else {
            parked.withLock { $0.insert(contentsOf: batch, at: 0) }
            return
        }
        for destroy in batch { destroy() }
    }

    /// Frees everything parked. Only after `natsConnection_Close` returned (the read loop is joined).
    func destroyAll() {
        for destroy in take() { destroy() }
    }

    /// How many wait for a fence (tests: nothing is kept once a fence passed).
    var count: Int {
        parked.withLock { $0.count }
    }

    private func take() -> [@Sendable () -> Void] {
        parked.withLock { parked in
            defer { parked.removeAll() }
            return parked
        }
    }
}
