import CNATS
import Dispatch

extension JetStreamContext {
    /// Publishes `messages` asynchronously and waits for each one's acknowledgement, so the caller
    /// learns every message's stream sequence (or why it was not stored) without one round trip per
    /// message. Needs a context made with `Options.tracksAsyncAcks` and a `messageID` on every
    /// message (acks are matched by it).
    ///
    /// The result has one entry per message, in order: the ack, the error, or nil when no answer came
    /// within `timeout` (the message may or may not be stored; publishing it again with the same id is safe).
    public func publishTracked(_ messages: [OutboundMessage], timeout: Duration) async -> [Result<PubAck, NATSError>?] {
        guard let acks = asyncAcks else {
            let error = NATSError(code: .invalidArgument, operation: "publishTracked", detail: "the context does not track asynchronous acks")
            return messages.map { _ in .failure(error) }
        }
        // libnats times every message out after `maxWait`; the extra second only guards a handler
        // that never runs (a connection closed underneath), so the caller is never stuck.
        let outcomes = PublishOutcomes(count: messages.count, deadline: .now() + .milliseconds(Int(clamping: (timeout + .seconds(1)).natsMilliseconds)))
        acks.track(outcomes)
        let ids = messages.map { $0.messageID ?? "" }
        for (index, message) in messages.enumerated() {
            guard let id = message.messageID, !id.isEmpty else {
                outcomes.record(index, .failure(NATSError(code: .invalidArgument, operation: "publishTracked", detail: "message \(index) has no message id")))
                continue
            }
            acks.register(id, outcomes, index: index)
        }
        let js = handle
        let maxWait = max(1, timeout.natsMilliseconds)
        do {
            try await publisher.run {
                for (index, message) in messages.enumerated() where message.messageID?.isEmpty == false {
                    var msg: OpaquePointer?
                    do {
                        msg = try message.makeNATSMessage()
                        // libnats takes ownership on success and clears `msg`; destroying nil is a no-op.
                        defer { natsMsg_Destroy(msg) }
                        try message.withPublishOptions(maxWait: maxWait) { options in
                            try natsCheck(js_PublishMsgAsync(js.raw, &msg, options), "js_PublishMsgAsync")
                        }
                    } catch let error as NATSError {
                        // Not sent: this one and the rest fail now, with the reason.
                        for rest in index..<messages.count { outcomes.record(rest, .failure(error)) }
                        return
                    }
                }
            }
        } catch {
            let failure = NATSError(code: .other, operation: "publishTracked", detail: "\(error)")
            for index in messages.indices { outcomes.record(index, .failure(failure)) }
        }
        await outcomes.wait()
        outcomes.finish()
        acks.unregister(outcomes, ids: ids)
        return outcomes.snapshot
    }
}
