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
    /// none arrived in time.
    ///
    /// The byte bound is raised to the server's max payload plus headroom: the server answers a pull whose
    /// `max_bytes` is below its next message with 409 and never delivers that message, which would stall
    /// the consumer for good. A fetch may end one message past `maxBytes` (libnats stops once reached).
    ///
    /// Calls are serialized per subscription; the blocking wait runs on the subscription's own queue.
    public func fetch(batch: Int, maxBytes: Int? = nil, timeout: Duration) async throws -> [JetStreamMessage] {
        guard batch > 0 else { throw NATSError(code: .invalidArgument, operation: "fetch", detail: "batch must be positive") }
        guard maxBytes.map({ $0 > 0 }) ?? true else { throw NATSError(code: .invalidArgument, operation: "fetch", detail: "maxBytes must be positive") }
        guard let handle = currentHandle() else {
            throw NATSError(code: .subscriptionClosed, operation: "fetch", detail: "subscription was destroyed")
        }
        let timeoutMillis = max(1, timeout.natsMilliseconds)
        return try await handle.fetcher.run {
            let bound = maxBytes.map { Self.effectiveMaxBytes($0, serverMaxPayload: Int(natsConnection_GetMaxPayload(handle.context.connection.handle.raw))) } ?? 0
            // libnats 3.4.1's fetch overflows its own message array when deliveries already wait in the
            // subscription (late ones, after an earlier fetch gave up): it takes k of them first, lowers
            // the pull request's batch to B − k, then loops until the count EQUALS the lowered batch,
            // which it is already past when k > B − k (js.c `_fetch`, `count != req->Batch`). Waiting
            // status messages (a pull's 408 or 409) are counted as waiting but dropped, so taking "all
            // that waits" as the batch is not enough. A batch of 1 can never overflow (k ≤ 1, and with
            // k = 1 no pull is sent): what waits is taken one message at a time, without waiting.
            var waiting: Int32 = 0, waitingBytes: Int32 = 0
            _ = natsSubscription_GetPending(handle.subscription.raw, &waiting, &waitingBytes)
            var messages: [JetStreamMessage] = []
            if waiting > 0 {
                var bytes = 0
                for _ in 0..<min(Int(waiting), batch) {
                    guard let taken = try Self.pull(handle, batch: 1, maxBytes: bound, noWait: true, timeoutMillis: timeoutMillis) else { break }
                    bytes += taken.reduce(0) { $0 + $1.dataCount }
                    messages += taken
                    if bound > 0, bytes >= bound { break }
                }
                return messages
            }
            // What natsSubscription_Fetch does, with max_bytes: first a pull answered at once with what is
            // there; only if nothing was there, a pull that waits.
            if let taken = try Self.pull(handle, batch: batch, maxBytes: bound, noWait: true, timeoutMillis: timeoutMillis) { return taken }
            return try Self.pull(handle, batch: batch, maxBytes: bound, noWait: false, timeoutMillis: timeoutMillis) ?? []
        }
    }

    /// One `natsSubscription_FetchRequest`: the messages, or nil when there were none (404 for a no-wait
    /// pull, 408 or a client timeout for a waiting one).
    private static func pull(_ handle: SubscriptionHandle, batch: Int, maxBytes: Int, noWait: Bool, timeoutMillis: Int64) throws -> [JetStreamMessage]? {
        var request = jsFetchRequest()
        jsFetchRequest_Init(&request)
        request.Batch = Int32(clamping: batch)
        request.MaxBytes = Int64(maxBytes)
        request.NoWait = noWait
        request.Expires = timeoutMillis * 1_000_000
        var list = natsMsgList()
        let status = natsSubscription_FetchRequest(&list, handle.subscription.raw, &request)
        if status == NATS_TIMEOUT || status == NATS_NOT_FOUND { return nil }
        if status != NATS_OK, isStaleMaxBytesStatus() { return nil }
        try natsCheck(status, "natsSubscription_FetchRequest")
        // Deliveries that arrived while libnats took the waiting ones can still trigger the overflow:
        // then the heap is already damaged, and stopping at once beats writing from it.
        precondition(Int(list.Count) <= batch, "libnats fetch returned \(list.Count) messages for a batch of \(batch): its array overflowed")
        defer { natsMsgList_Destroy(&list) }
        var messages: [JetStreamMessage] = []
        messages.reserveCapacity(Int(list.Count))
        for index in 0..<Int(list.Count) {
            guard let msg = list.Msgs[index] else { continue }
            // Take ownership; natsMsgList_Destroy skips NULL entries.
            list.Msgs[index] = nil
            messages.append(JetStreamMessage(message: CPointer(msg), subscription: handle))
        }
        return messages.isEmpty ? nil : messages
    }

    /// libnats 3.4.1 takes the 409 "Message Size Exceeds MaxBytes" that ends an earlier, abandoned pull
    /// for an answer to the current one. No message is ever bigger than a pull (`effectiveMaxBytes`), so
    /// a 409 about max bytes with nothing received means only that the earlier pull ended: nothing came.
    private static func isStaleMaxBytesStatus() -> Bool {
        var last = NATS_OK
        guard let text = nats_GetLastError(&last).map({ String(cString: $0) }) else { return false }
        return text.contains("Exceeds MaxBytes")
    }

    /// The `max_bytes` a pull asks for: at least the largest message the server accepts (its max payload)
    /// plus room for subject, reply and headers, so no message is ever too big for a pull.
    public static func effectiveMaxBytes(_ requested: Int, serverMaxPayload: Int) -> Int {
        max(requested, max(serverMaxPayload, 0) + 64 * 1024)
    }

    /// Stops using this subscription; later `fetch` calls fail with `.subscriptionClosed`.
    /// The durable consumer is kept (only `natsSubscription_Destroy` is called, never Unsubscribe),
    /// and messages already fetched can still be acked: the libnats subscription is destroyed once
    /// the last of them is released.
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
