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

    /// Fetches up to `batch` messages, waiting at most `timeout` (it returns early once some
    /// messages arrived and no more are available). Returns `[]` if none arrived in time.
    ///
    /// Calls are serialized per subscription; the blocking wait runs on the subscription's own queue.
    public func fetch(batch: Int, timeout: Duration) async throws -> [JetStreamMessage] {
        guard batch > 0 else { throw NATSError(code: .invalidArgument, operation: "fetch", detail: "batch must be positive") }
        guard let handle = currentHandle() else {
            throw NATSError(code: .subscriptionClosed, operation: "fetch", detail: "subscription was destroyed")
        }
        let timeoutMillis = max(1, timeout.natsMilliseconds)
        return try await handle.fetcher.run {
            // libnats 3.4.1's fetch overflows its own message array when more than half of the batch is
            // already waiting in the subscription (deliveries that came after an earlier fetch gave up):
            // it takes those first, lowers the pull request's batch by that count, then loops until the
            // count EQUALS the lowered batch, which it is already past (js.c `_fetch`, `count !=
            // req->Batch`). So when deliveries are waiting, fetch exactly that many: they are taken
            // without a pull request and the loop never runs. This was the heap corruption seen when
            // fetches overlapped store writes (docs/DESIGN.md).
            var waiting: Int32 = 0, waitingBytes: Int32 = 0
            _ = natsSubscription_GetPending(handle.subscription.raw, &waiting, &waitingBytes)
            let size = waiting > 0 ? min(Int(waiting), batch) : batch
            var list = natsMsgList()
            var jsErr = jsErrCode(rawValue: 0)
            let status = natsSubscription_Fetch(&list, handle.subscription.raw, Int32(clamping: size), timeoutMillis, &jsErr)
            if status == NATS_TIMEOUT { return [] }
            try natsCheck(status, "natsSubscription_Fetch", jsErr)
            // Deliveries that arrived between the check and the fetch can still trigger the overflow:
            // then the heap is already damaged, and stopping at once beats writing from it.
            precondition(Int(list.Count) <= size, "libnats fetch returned \(list.Count) messages for a batch of \(size): its array overflowed")
            defer { natsMsgList_Destroy(&list) }
            var messages: [JetStreamMessage] = []
            messages.reserveCapacity(Int(list.Count))
            for index in 0..<Int(list.Count) {
                guard let msg = list.Msgs[index] else { continue }
                // Take ownership; natsMsgList_Destroy skips NULL entries.
                list.Msgs[index] = nil
                messages.append(JetStreamMessage(message: CPointer(msg), subscription: handle))
            }
            return messages
        }
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
