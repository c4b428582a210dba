import CNATS
import Foundation

/// A pull subscription bound to a durable consumer. Fetch batches with `fetch`, then ack each message.
public final class PullSubscription: @unchecked Sendable {
    // @unchecked: the only mutable state, `handle`, is guarded by `lock`.

    /// The stream the consumer belongs to.
    public let stream: String
    /// The durable consumer this subscription is bound to.
    public let durable: String

    private let lock = NSLock()
    private var handle: SubscriptionHandle?

    init(handle: SubscriptionHandle, stream: String, durable: String) {
        self.handle = handle
        self.stream = stream
        self.durable = durable
    }

    /// Fetches up to `batch` messages and about `maxBytes` bytes (nil: no byte bound), waiting at most
    /// `timeout` (it returns early once some messages arrived and no more are available). Returns `[]` if
    /// none arrived in time. Never more than `batch` messages.
    ///
    /// The byte bound is raised to the server's max payload plus headroom: the server answers a pull whose
    /// `max_bytes` is below its next message with 409 and never delivers that message, which would stall
    /// the consumer for good. A fetch may end one message past `maxBytes`.
    ///
    /// Deliveries that arrive after a fetch gave up (its pull was still open) are simply the next
    /// fetch's first messages, returned without a new pull.
    ///
    /// With `fill`, the fetch does not return early: one pull (for what the late deliveries left of
    /// `batch`) stays open for the whole `timeout` and the server delivers into it as messages arrive,
    /// so a trickle of messages costs one pull per fetch instead of one per message (a lingering batch
    /// waits that long anyway).
    ///
    /// Calls are serialized per subscription; the blocking wait runs on the subscription's own queue.
    public func fetch(batch: Int, maxBytes: Int? = nil, timeout: Duration, fill: Bool = false) async throws -> [JetStreamMessage] {
        guard batch > 0 else { throw NATSError(code: .invalidArgument, operation: "fetch", detail: "batch must be positive") }
        guard maxBytes.map({ $0 > 0 }) ?? true else { throw NATSError(code: .invalidArgument, operation: "fetch", detail: "maxBytes must be positive") }
        guard let handle = currentHandle() else {
            throw NATSError(code: .subscriptionClosed, operation: "fetch", detail: "subscription was destroyed")
        }
        let timeoutMillis = max(1, timeout.natsMilliseconds)
        return try await handle.fetcher.run {
            let connection = handle.context.connection.handle.raw
            let bound = maxBytes.map { Self.effectiveMaxBytes($0, serverMaxPayload: Int(natsConnection_GetMaxPayload(connection))) } ?? 0
            let deadline = nats_Now() + timeoutMillis
            var taken = Taken(batch: batch, maxBytes: bound)
            // Late deliveries of earlier pulls first, without waiting.
            _ = try Self.read(handle, into: &taken, reply: nil, deadline: nil)
            if fill {
                if taken.isFull { return taken.messages }
                let reply = handle.nextReplySubject()
                let request = PullRequest(batch: batch - taken.messages.count, maxBytes: bound,
                                          timeoutMillis: max(1, deadline - nats_Now()), noWait: false)
                try natsCheck(natsConnection_PublishRequestString(connection, handle.nextSubject, reply, request.json), "natsConnection_PublishRequestString")
                _ = try Self.read(handle, into: &taken, reply: reply, deadline: deadline)
                return taken.messages
            }
            if !taken.messages.isEmpty { return taken.messages }
            // Then what natsSubscription_Fetch does: a pull answered at once with what is there; only if
            // nothing was there, a pull that waits.
            for noWait in [true, false] {
                let reply = handle.nextReplySubject()
                let remaining = max(1, deadline - nats_Now())
                let request = PullRequest(batch: batch, maxBytes: bound, timeoutMillis: remaining, noWait: noWait)
                try natsCheck(natsConnection_PublishRequestString(connection, handle.nextSubject, reply, request.json), "natsConnection_PublishRequestString")
                let answered = try Self.read(handle, into: &taken, reply: reply, deadline: deadline)
                if !taken.messages.isEmpty || !answered { break }
            }
            return taken.messages
        }
    }

    /// The `max_bytes` a pull asks for: at least the largest message the server accepts (its max payload)
    /// plus room for subject, reply and headers, so no message is ever too big for a pull.
    public static func effectiveMaxBytes(_ requested: Int, serverMaxPayload: Int) -> Int {
        max(requested, max(serverMaxPayload, 0) + 64 * 1024)
    }

    /// Stops using this subscription; later `fetch` calls fail with `.subscriptionClosed`.
    /// The durable consumer is kept (it is never deleted by a subscription), and messages already
    /// fetched can still be acked: the inbox subscription is destroyed once the last of them is released.
    /// Before its durable is deleted and re-created under the same name: messages fetched through this
    /// subscription are no longer acked or terminated (the new consumer delivers them again), and the
    /// settlements already queued go out first, to the consumer they belong to.
    public func retire() async {
        guard let handle = currentHandle() else { return }
        handle.retire()
        _ = try? await handle.fetcher.run {}
    }

    public func destroy() {
        lock.lock()
        handle = nil
        lock.unlock()
    }

    private func currentHandle() -> SubscriptionHandle? {
        lock.lock()
        defer { lock.unlock() }
        return handle
    }
}
