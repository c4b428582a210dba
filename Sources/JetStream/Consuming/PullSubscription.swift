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
            var list = natsMsgList()
            var jsErr = jsErrCode(rawValue: 0)
            let status = natsSubscription_Fetch(&list, handle.subscription.raw, Int32(clamping: batch), timeoutMillis, &jsErr)
            if status == NATS_TIMEOUT { return [] }
            try natsCheck(status, "natsSubscription_Fetch", jsErr)
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
