import CNATS

/// JetStream on one connection (libnats `jsCtx`): streams, consumers, publishing, pull subscriptions.
///
/// Management calls and publishing each run on their own serial queue, so a long
/// `publishAsyncComplete` does not hold up `consumerInfo`, and neither blocks the cooperative pool.
public final class JetStreamContext: @unchecked Sendable {
    // @unchecked: only immutable state; libnats locks the jsCtx internally.

    /// The connection this context uses; kept alive as long as the context.
    public let connection: NATSConnection
    /// The settings this context was created with.
    public let options: Options

    let handle: CPointer
    /// Stream and consumer management, and synchronous acks.
    let api: BlockingExecutor
    /// Synchronous and asynchronous publishing.
    let publisher: BlockingExecutor
    let asyncFailures: AsyncPublishFailures
    /// Set with `Options.tracksAsyncAcks`.
    let asyncAcks: AsyncPublishAcks?

    init(connection: NATSConnection, options: Options) throws {
        let failures = AsyncPublishFailures()
        var jsOpts = jsOptions()
        try natsCheck(jsOptions_Init(&jsOpts), "jsOptions_Init")
        jsOpts.Wait = options.requestTimeout.natsMilliseconds
        jsOpts.PublishAsync.MaxPending = Int64(options.maxPendingAsyncPublishes)
        jsOpts.PublishAsync.StallWait = options.asyncPublishStallWait.natsMilliseconds
        jsOpts.PublishAsync.ErrHandler = AsyncPublishFailures.errorHandler
        // Deliberately never released: libnats may still run the handler on its own thread while
        // the jsCtx is being torn down, and the object is tiny (one per context).
        jsOpts.PublishAsync.ErrHandlerClosure = Unmanaged.passRetained(failures).toOpaque()
        // libnats ignores the ErrHandler when an AckHandler is set; untracked failures are still counted.
        let acks = options.tracksAsyncAcks ? AsyncPublishAcks(untracked: failures) : nil
        if let acks {
            jsOpts.PublishAsync.AckHandler = AsyncPublishAcks.handler
            // Never released, for the same reason as the failures above.
            jsOpts.PublishAsync.AckHandlerClosure = Unmanaged.passRetained(acks).toOpaque()
        }

        var js: OpaquePointer?
        try natsCheck(natsConnection_JetStream(&js, connection.handle.raw, &jsOpts), "natsConnection_JetStream")
        guard let js else { throw NATSError(code: .other, operation: "natsConnection_JetStream") }

        self.connection = connection
        self.options = options
        self.handle = CPointer(js)
        self.asyncFailures = failures
        self.asyncAcks = acks
        self.api = BlockingExecutor(label: "projection.nats.jetstream.api.\(connection.name)")
        self.publisher = BlockingExecutor(label: "projection.nats.jetstream.publish.\(connection.name)")
    }

    deinit {
        asyncAcks?.stop()
        jsCtx_Destroy(handle.raw)
    }
}
