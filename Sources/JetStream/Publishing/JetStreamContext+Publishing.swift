import CNATS

extension JetStreamContext {
    /// Publishes and waits for the stream's acknowledgement (one round trip per message).
    ///
    /// With `messageID` (sent as `Nats-Msg-Id`) a repeat within the stream's duplicate window is
    /// not stored again and comes back with `duplicate == true`.
    @discardableResult
    public func publish(
        subject: String, data: [UInt8], headers: [String: String] = [:], messageID: String? = nil, expectedStream: String? = nil
    ) async throws -> PubAck {
        try await publish(OutboundMessage(subject: subject, data: data, headers: headers, messageID: messageID, expectedStream: expectedStream))
    }

    /// Publishes `message` and waits for the stream's acknowledgement.
    @discardableResult
    public func publish(_ message: OutboundMessage) async throws -> PubAck {
        let js = handle
        return try await publisher.run {
            let msg = try message.makeNATSMessage()
            defer { projection_natsMsg_DestroyNow(msg) }
            return try message.withPublishOptions { options in
                var jsErr = jsErrCode(rawValue: 0)
                var ack: UnsafeMutablePointer<jsPubAck>?
                try natsCheck(js_PublishMsg(&ack, js.raw, msg, options, &jsErr), "js_PublishMsg", jsErr)
                defer { jsPubAck_Destroy(ack) }
                guard let ack else { throw NATSError(code: .protocolViolation, operation: "js_PublishMsg", detail: "no ack") }
                return PubAck(
                    stream: ack.pointee.Stream.map { String(cString: $0) } ?? "",
                    sequence: ack.pointee.Sequence,
                    duplicate: ack.pointee.Duplicate
                )
            }
        }
    }

    /// Publishes without waiting for the acknowledgement. At most
    /// `Options.maxPendingAsyncPublishes` are in flight; beyond that this call waits for acks.
    /// Call `publishAsyncComplete` to learn whether all were stored.
    public func publishAsync(
        subject: String, data: [UInt8], headers: [String: String] = [:], messageID: String? = nil
    ) async throws {
        try await publishAsync([OutboundMessage(subject: subject, data: data, headers: headers, messageID: messageID)])
    }

    /// Publishes a batch without waiting for acknowledgements; far cheaper per message than single
    /// calls, for high-rate producers. On error, the messages before the failing one were sent.
    public func publishAsync(_ messages: [OutboundMessage]) async throws {
        let js = handle
        try await publisher.run {
            for message in messages {
                var msg: OpaquePointer? = try message.makeNATSMessage()
                // libnats takes ownership on success and clears `msg`; destroying nil is a no-op.
                defer { projection_natsMsg_DestroyNow(msg) }
                try message.withPublishOptions { options in
                    try natsCheck(js_PublishMsgAsync(js.raw, &msg, options), "js_PublishMsgAsync")
                }
            }
        }
    }

    /// Waits until every asynchronous publish so far is acknowledged. Throws `.timeout` if that
    /// takes longer than `timeout`, and `.publishFailed` if the server rejected any of them since
    /// the previous call (the count is in `detail`).
    public func publishAsyncComplete(timeout: Duration) async throws {
        let js = handle
        let failures = asyncFailures
        try await publisher.run {
            var options = jsPubOptions()
            try natsCheck(jsPubOptions_Init(&options), "jsPubOptions_Init")
            options.MaxWait = max(1, timeout.natsMilliseconds)
            try natsCheck(js_PublishAsyncComplete(js.raw, &options), "js_PublishAsyncComplete")
            let failed = failures.take()
            if failed.count > 0 {
                throw NATSError(
                    code: .publishFailed,
                    operation: "js_PublishAsyncComplete",
                    jetStreamErrorCode: failed.jetStreamCode,
                    detail: "\(failed.count) message(s) not stored; first error: \(failed.firstError ?? "unknown")"
                )
            }
        }
    }
}
