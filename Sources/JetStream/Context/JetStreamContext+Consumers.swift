import CNATS

extension JetStreamContext {
    /// Creates the durable pull consumer if it does not exist, else updates the settings that differ
    /// (filter, ack wait, max ack pending, max deliver). An existing consumer keeps its position:
    /// `deliverPolicy` only applies on creation. The ack policy cannot change: an existing consumer
    /// with another one throws `.invalidArgument`.
    ///
    /// The consumer is created with `js_AddConsumer`, not by subscribing, so destroying a
    /// `PullSubscription` never deletes it.
    @discardableResult
    public func ensurePullConsumer(stream: String, config: ConsumerConfig) async throws -> ConsumerInfo {
        let js = handle
        return try await api.run {
            if let existing = try Self.updateConsumerIfExists(js, stream: stream, config: config) {
                return existing
            }
            do {
                return try Self.addConsumer(js, stream: stream, config: config)
            } catch let error as NATSError where [10013, 10105, 10148].contains(error.jetStreamErrorCode ?? 0) {
                // Created concurrently by another process: adopt it.
                guard let existing = try Self.updateConsumerIfExists(js, stream: stream, config: config) else { throw error }
                return existing
            }
        }
    }

    /// The consumer's progress; throws `.notFound` if the stream or consumer does not exist.
    public func consumerInfo(stream: String, durable: String) async throws -> ConsumerInfo {
        let js = handle
        return try await api.run {
            var jsErr = jsErrCode(rawValue: 0)
            var info: UnsafeMutablePointer<jsConsumerInfo>?
            try natsCheck(js_GetConsumerInfo(&info, js.raw, stream, durable, nil, &jsErr), "js_GetConsumerInfo", jsErr)
            defer { jsConsumerInfo_Destroy(info) }
            return ConsumerInfo(info!)
        }
    }

    /// Deletes the consumer; throws `.notFound` if it does not exist.
    public func deleteConsumer(stream: String, durable: String) async throws {
        let js = handle
        try await api.run {
            var jsErr = jsErrCode(rawValue: 0)
            try natsCheck(js_DeleteConsumer(js.raw, stream, durable, nil, &jsErr), "js_DeleteConsumer", jsErr)
        }
    }

    /// Binds a pull subscription to an existing durable consumer (see `ensurePullConsumer`); throws
    /// `.notFound` if it does not exist. Several subscriptions may bind to the same consumer; the server
    /// spreads messages among them.
    ///
    /// Deliveries arrive on a plain subscription to a fresh inbox, and `PullSubscription.fetch` sends the
    /// pull requests itself: libnats 3.4.1's JetStream pull subscription is not used (see `SubscriptionHandle`).
    public func bindPullConsumer(stream: String, durable: String) async throws -> PullSubscription {
        let js = handle
        let connection = self.connection.handle
        let (sub, inbox) = try await api.run {
            var jsErr = jsErrCode(rawValue: 0)
            var info: UnsafeMutablePointer<jsConsumerInfo>?
            try natsCheck(js_GetConsumerInfo(&info, js.raw, stream, durable, nil, &jsErr), "js_GetConsumerInfo", jsErr)
            defer { jsConsumerInfo_Destroy(info) }
            if let deliver = info?.pointee.Config?.pointee.DeliverSubject, deliver.pointee != 0 {
                throw NATSError(code: .invalidArgument, operation: "bindPullConsumer", detail: "consumer \(durable) is a push consumer")
            }
            var rawInbox: UnsafeMutablePointer<natsInbox>?
            try natsCheck(natsInbox_Create(&rawInbox), "natsInbox_Create")
            defer { natsInbox_Destroy(rawInbox) }
            let inbox = String(cString: rawInbox!)
            var sub: OpaquePointer?
            try natsCheck(natsConnection_SubscribeSync(&sub, connection.raw, "\(inbox).*"), "natsConnection_SubscribeSync")
            guard let sub else { throw NATSError(code: .other, operation: "natsConnection_SubscribeSync") }
            // No client-side limit: the pulls bound what arrives, and a dropped delivery would only come
            // back after the ack wait.
            if natsSubscription_SetPendingLimits(sub, -1, -1) != NATS_OK {
                natsSubscription_Destroy(sub)
                throw NATSError(code: .other, operation: "natsSubscription_SetPendingLimits")
            }
            return (CPointer(sub), inbox)
        }
        let subscription = SubscriptionHandle(subscription: sub, inbox: inbox, context: self, stream: stream, durable: durable)
        return PullSubscription(handle: subscription, stream: stream, durable: durable)
    }

    // MARK: - Blocking helpers (run on `api`)

    private static func addConsumer(_ js: CPointer, stream: String, config: ConsumerConfig) throws -> ConsumerInfo {
        var cc = jsConsumerConfig()
        try natsCheck(jsConsumerConfig_Init(&cc), "jsConsumerConfig_Init")
        cc.AckPolicy = config.ackPolicy == .all ? js_AckAll : js_AckExplicit
        cc.AckWait = config.ackWait.natsNanoseconds
        cc.MaxDeliver = Int64(config.maxDeliver)
        if let maxAckPending = config.maxAckPending { cc.MaxAckPending = Int64(maxAckPending) }
        if let replicas = config.replicas { cc.Replicas = Int64(replicas) }
        switch config.deliverPolicy {
        case .all:
            cc.DeliverPolicy = js_DeliverAll
        case .new:
            cc.DeliverPolicy = js_DeliverNew
        case .startSequence(let sequence):
            cc.DeliverPolicy = js_DeliverByStartSequence
            cc.OptStartSeq = sequence
        }
        return try config.durableName.withCString { cDurable in
            try withOptionalCString(config.filterSubject) { cFilter in
                try withOptionalCString(config.description) { cDescription in
                    cc.Durable = cDurable
                    cc.FilterSubject = cFilter
                    cc.Description = cDescription
                    var jsErr = jsErrCode(rawValue: 0)
                    var info: UnsafeMutablePointer<jsConsumerInfo>?
                    try natsCheck(js_AddConsumer(&info, js.raw, stream, &cc, nil, &jsErr), "js_AddConsumer", jsErr)
                    defer { jsConsumerInfo_Destroy(info) }
                    return ConsumerInfo(info!)
                }
            }
        }
    }

    /// Returns nil if the consumer does not exist; otherwise its info after applying changed settings.
    private static func updateConsumerIfExists(_ js: CPointer, stream: String, config: ConsumerConfig) throws -> ConsumerInfo? {
        var jsErr = jsErrCode(rawValue: 0)
        var info: UnsafeMutablePointer<jsConsumerInfo>?
        let status = js_GetConsumerInfo(&info, js.raw, stream, config.durableName, nil, &jsErr)
        if status == NATS_NOT_FOUND && jsErr == JSConsumerNotFoundErr { return nil }
        try natsCheck(status, "js_GetConsumerInfo", jsErr)
        defer { jsConsumerInfo_Destroy(info) }
        let existing = ConsumerInfo(info!)
        guard existing.ackPolicy == config.ackPolicy else {
            throw NATSError(code: .invalidArgument, operation: "ensure consumer \(config.durableName)",
                            detail: "the existing consumer's ack policy is \(existing.ackPolicy.map { "\($0)" } ?? "none"), not \(config.ackPolicy); the policy cannot change: delete the consumer to recreate it")
        }
        let wantedMaxAckPending = config.maxAckPending ?? existing.maxAckPending
        let unchanged = existing.filterSubject == config.filterSubject
            && existing.ackWait == config.ackWait
            && existing.maxAckPending == wantedMaxAckPending
            && existing.maxDeliver == config.maxDeliver
        guard !unchanged, let cc = info!.pointee.Config else { return existing }

        // Update the server's own config so the deliver policy and start position stay as they are;
        // restore libnats' string pointer afterwards because jsConsumerInfo_Destroy frees it.
        cc.pointee.AckWait = config.ackWait.natsNanoseconds
        cc.pointee.MaxAckPending = Int64(wantedMaxAckPending)
        cc.pointee.MaxDeliver = Int64(config.maxDeliver)
        let savedFilter = cc.pointee.FilterSubject
        defer { cc.pointee.FilterSubject = savedFilter }
        return try withOptionalCString(config.filterSubject) { cFilter in
            cc.pointee.FilterSubject = cFilter
            var updateErr = jsErrCode(rawValue: 0)
            var updated: UnsafeMutablePointer<jsConsumerInfo>?
            try natsCheck(js_UpdateConsumer(&updated, js.raw, stream, cc, nil, &updateErr), "js_UpdateConsumer", updateErr)
            defer { jsConsumerInfo_Destroy(updated) }
            return ConsumerInfo(updated!)
        }
    }
}
