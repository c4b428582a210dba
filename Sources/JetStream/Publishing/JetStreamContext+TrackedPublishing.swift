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
            acks.register(id, outcomes, index: index, bytes: message.data.count)
        }
        let js = handle
        let maxWait = max(1, timeout.natsMilliseconds)
        // Never throws: a message that cannot be sent fails with the rest, with the reason.
        let send: @Sendable () -> Void = {
            for (index, message) in messages.enumerated() where message.messageID?.isEmpty == false {
                var msg: OpaquePointer?
                do {
                    msg = try message.makeNATSMessage()
                    // libnats takes ownership on success and clears `msg`; destroying nil is a no-op.
                    defer { projection_natsMsg_DestroyNow(msg) }
                    try message.withPublishOptions(maxWait: maxWait) { options in
                        try natsCheck(js_PublishMsgAsync(js.raw, &msg, options), "js_PublishMsgAsync")
                    }
                } catch {
                    let failure = error as? NATSError ?? NATSError(code: .other, operation: "publishTracked", detail: "\(error)")
                    for rest in index..<messages.count { outcomes.record(rest, .failure(failure)) }
                    return
                }
            }
        }
        // Sent from the calling task while few acks are awaited: the hop to the publish queue and back
        // was a good part of a single event's time. Only while the call cannot wait inside libnats: it
        // stalls only once `maxPendingAsyncPublishes` acks are awaited, and its socket write (send_asap)
        // waits only once the kernel's socket buffers are full, which the few bytes awaiting acks
        // (this call's included) cannot do, even against a frozen server. Otherwise the publish queue.
        if acks.awaitedWithin(messages: min(Self.inlineAwaitedMessages, options.maxPendingAsyncPublishes / 2), bytes: Self.inlineAwaitedBytes) {
            send()
        } else {
            do {
                try await publisher.run(send)
            } catch {
                let failure = NATSError(code: .other, operation: "publishTracked", detail: "\(error)")
                for index in messages.indices { outcomes.record(index, .failure(failure)) }
            }
        }
        await outcomes.wait()
        outcomes.finish()
        acks.unregister(outcomes, ids: ids)
        return outcomes.snapshot
    }

    /// Most messages, and their payload bytes, awaiting acks on the context (the call's own included)
    /// for a call to be sent without the hop to the publish queue.
    static let inlineAwaitedMessages = 8
    static let inlineAwaitedBytes = 16 << 10
}
