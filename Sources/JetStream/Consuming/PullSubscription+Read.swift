import CNATS
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension PullSubscription {
    /// What one fetch has taken so far, and whether that is all it may take.
    struct Taken {
        let batch: Int
        /// 0: no byte bound.
        let maxBytes: Int
        var messages: [JetStreamMessage] = []
        var bytes = 0

        init(batch: Int, maxBytes: Int) {
            self.batch = batch
            self.maxBytes = maxBytes
        }

        var isFull: Bool { messages.count >= batch || (maxBytes > 0 && bytes >= maxBytes) }

        mutating func append(_ message: JetStreamMessage) {
            messages.append(message)
            bytes += message.dataCount
        }
    }

    /// Reads deliveries into `taken` until it is full, the pull replying to `reply` is answered by a
    /// status (true), or `deadline` (milliseconds, `nats_Now`) passes (false). With no deadline it takes
    /// only what already waits. Status messages for other reply subjects end earlier, abandoned pulls and
    /// are dropped; deliveries are taken whichever pull they answer (they are this consumer's next messages).
    static func read(_ handle: SubscriptionHandle, into taken: inout Taken, reply: String?, deadline: Int64?) throws -> Bool {
        var tookSincePause = false
        while !taken.isFull {
            var wait: Int64 = 0
            if let deadline {
                wait = deadline - nats_Now()
                if wait <= 0 { return false }
                // Deliveries stream in from libnats' reader thread, and this loop takes them faster than they
                // arrive. Waiting on the subscription's condition here would wake this thread once per message
                // (libnats signals whenever its queue turns non-empty) and fight the reader for the queue's lock.
                // So once a message was taken, an empty queue gets a short pause to fill; only a queue still
                // empty after a pause is waited on (a trickle, or a pull the server has not answered yet).
                if tookSincePause, Self.queued(handle) == 0 {
                    tookSincePause = false
                    usleep(Self.fillPauseMicroseconds)
                    continue
                }
            }
            var next: OpaquePointer?
            let status = natsSubscription_NextMsg(&next, handle.subscription.raw, wait)
            if status == NATS_TIMEOUT { return false }
            try natsCheck(status, "natsSubscription_NextMsg")
            guard let msg = next else { continue }
            guard let pullStatus = PullStatus(msg) else {
                taken.append(JetStreamMessage(message: CPointer(msg), subscription: handle))
                tookSincePause = true
                continue
            }
            let answersThisPull = reply != nil && natsMsg_GetSubject(msg).map { String(cString: $0) } == reply
            projection_natsMsg_DestroyNow(msg)
            guard answersThisPull else { continue }
            switch pullStatus.outcome {
            case .ignore:
                continue
            case .ended:
                return true
            case .failed:
                if !taken.messages.isEmpty { return true }
                throw NATSError(
                    code: pullStatus.code == "503" ? .notFound : .other, operation: "fetch",
                    status: pullStatus.code, detail: pullStatus.description)
            }
        }
        return true
    }

    /// How long an emptied queue is left to fill before it is looked at again (see `read`): about 20
    /// deliveries at 100k messages/s, so the fetch thread wakes once per few dozen messages, not per message.
    static let fillPauseMicroseconds: UInt32 = 200

    /// Messages waiting in the subscription's queue (libnats' pending count, under its lock).
    static func queued(_ handle: SubscriptionHandle) -> Int32 {
        var messages: Int32 = 0
        var bytes: Int32 = 0
        guard natsSubscription_GetPending(handle.subscription.raw, &messages, &bytes) == NATS_OK else { return 0 }
        return messages
    }
}
