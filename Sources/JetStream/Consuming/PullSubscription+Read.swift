import CNATS

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
        while !taken.isFull {
            var wait: Int64 = 0
            if let deadline {
                wait = deadline - nats_Now()
                if wait <= 0 { return false }
            }
            var next: OpaquePointer?
            let status = natsSubscription_NextMsg(&next, handle.subscription.raw, wait)
            if status == NATS_TIMEOUT { return false }
            try natsCheck(status, "natsSubscription_NextMsg")
            guard let msg = next else { continue }
            guard let pullStatus = PullStatus(msg) else {
                taken.append(JetStreamMessage(message: CPointer(msg), subscription: handle))
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
}
