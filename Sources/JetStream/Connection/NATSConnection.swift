import CNATS

/// A connection to a NATS server (libnats `natsConnection`), reconnecting automatically.
///
/// Blocking libnats calls run on this connection's own serial queue, never on Swift's
/// cooperative pool. The underlying connection is destroyed when this object is released.
public final class NATSConnection: @unchecked Sendable {
    // @unchecked: only immutable state; libnats locks the connection internally.

    /// The client name announced to the server.
    public let name: String
    /// The server URL(s) with credentials redacted; use this in logs.
    public let redactedURL: String
    /// Connection state changes (disconnected, reconnected, closed, async errors). Single consumer;
    /// the newest 100 events are kept if nobody listens. Finishes after `.closed`.
    public let events: AsyncStream<ConnectionEvent>

    let handle: CPointer
    let executor: BlockingExecutor
    /// Unsubscribed subscriptions waiting for a read-loop fence before they are freed.
    let retired = RetiredSubscriptions()

    private init(name: String, redactedURL: String, events: AsyncStream<ConnectionEvent>, handle: CPointer, executor: BlockingExecutor) {
        self.name = name
        self.redactedURL = redactedURL
        self.events = events
        self.handle = handle
        self.executor = executor
    }

    deinit {
        // Closing joins the read loop, so the parked subscriptions can go before the connection.
        natsConnection_Close(handle.raw)
        retired.destroyAll()
        natsConnection_Destroy(handle.raw)
    }

    /// Connects to `url` (`nats://[user:pass@]host:port`, or several separated by commas).
    ///
    /// Fails with `.connection` if no server can be reached; once connected, a lost connection
    /// is retried according to `options`.
    public static func connect(url: String, name: String, options: Options = Options()) async throws -> NATSConnection {
        try NATSLibrary.ensureOpen()
        let (events, continuation) = AsyncStream<ConnectionEvent>.makeStream(bufferingPolicy: .bufferingNewest(100))
        let executor = BlockingExecutor(label: "projection.nats.connection.\(name)")
        let handle = try await executor.run {
            try openConnection(url: url, name: name, options: options, continuation: continuation)
        }
        return NATSConnection(
            name: name, redactedURL: redact(url: url), events: events, handle: handle, executor: executor
        )
    }

    private static func openConnection(
        url: String, name: String, options: Options, continuation: AsyncStream<ConnectionEvent>.Continuation
    ) throws -> CPointer {
        var opts: OpaquePointer?
        try natsCheck(natsOptions_Create(&opts), "natsOptions_Create")
        guard let opts else { throw NATSError(code: .other, operation: "natsOptions_Create") }
        defer { natsOptions_Destroy(opts) }

        let servers = serverURLs(url)
        if servers.count > 1 {
            try withCStringArray(servers) { list, count in
                try natsCheck(natsOptions_SetServers(opts, list, count), "natsOptions_SetServers")
            }
        } else {
            try natsCheck(natsOptions_SetURL(opts, servers.first ?? url), "natsOptions_SetURL")
        }
        try natsCheck(natsOptions_SetName(opts, name), "natsOptions_SetName")
        try natsCheck(natsOptions_SetAllowReconnect(opts, true), "natsOptions_SetAllowReconnect")
        try natsCheck(natsOptions_SetMaxReconnect(opts, Int32(clamping: options.maxReconnect)), "natsOptions_SetMaxReconnect")
        try natsCheck(natsOptions_SetReconnectWait(opts, options.reconnectWait.natsMilliseconds), "natsOptions_SetReconnectWait")
        try natsCheck(natsOptions_SetPingInterval(opts, options.pingInterval.natsMilliseconds), "natsOptions_SetPingInterval")
        try natsCheck(natsOptions_SetMaxPingsOut(opts, Int32(clamping: options.maxPingsOut)), "natsOptions_SetMaxPingsOut")
        try natsCheck(natsOptions_SetTimeout(opts, options.connectTimeout.natsMilliseconds), "natsOptions_SetTimeout")
        try natsCheck(
            natsOptions_SetReconnectBufSize(opts, Int32(clamping: options.reconnectBufferSize)),
            "natsOptions_SetReconnectBufSize"
        )
        if let writeDeadline = options.writeDeadline {
            try natsCheck(natsOptions_SetWriteDeadline(opts, writeDeadline.natsMilliseconds), "natsOptions_SetWriteDeadline")
        }
        if options.sendAsap {
            try natsCheck(natsOptions_SetSendAsap(opts, true), "natsOptions_SetSendAsap")
        }

        let callbacks = ConnectionCallbacks(continuation: continuation)
        let closure = try callbacks.install(on: opts)

        var connection: OpaquePointer?
        let status = natsConnection_Connect(&connection, opts)
        guard status == NATS_OK, let connection else {
            // No callback fires for a connection that never opened, so drop libnats' reference here.
            Unmanaged<ConnectionCallbacks>.fromOpaque(closure).release()
            continuation.finish()
            throw NATSError(status: status, operation: "natsConnection_Connect")
        }
        return CPointer(connection)
    }

    /// Whether the connection is currently connected (false while reconnecting or after close).
    public var isConnected: Bool {
        natsConnection_Status(handle.raw) == NATS_CONN_STATUS_CONNECTED
    }

    /// The server this connection is on now (credentials redacted), or nil while disconnected.
    public var connectedURL: String? {
        var buffer = [CChar](repeating: 0, count: 512)
        guard natsConnection_GetConnectedUrl(handle.raw, &buffer, buffer.count) == NATS_OK, buffer[0] != 0 else { return nil }
        return Self.redact(url: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// The largest message (headers and payload) the connected server accepts (`max_payload`).
    public var maxPayload: Int {
        Int(natsConnection_GetMaxPayload(handle.raw))
    }

    /// Whether the connection is closed for good.
    public var isClosed: Bool {
        natsConnection_IsClosed(handle.raw)
    }

    /// Waits until the server has processed everything sent so far.
    public func flush(timeout: Duration = .seconds(5)) async throws {
        let handle = handle
        try await executor.run {
            try natsCheck(natsConnection_FlushTimeout(handle.raw, timeout.natsMilliseconds), "natsConnection_FlushTimeout")
        }
    }

    /// Closes the connection. With `drainTimeout`, subscriptions stop receiving and pending
    /// messages/publishes are flushed first (bounded by the timeout). Subscriptions and JetStream
    /// contexts made from this connection stop working.
    public func close(drainTimeout: Duration? = nil) async {
        let handle = handle
        let retired = retired
        try? await executor.run {
            if let drainTimeout, natsConnection_DrainTimeout(handle.raw, drainTimeout.natsMilliseconds) == NATS_OK {
                // Drain continues in libnats' threads; it closes the connection when done.
                let deadline = nats_Now() + drainTimeout.natsMilliseconds + 1000
                while !natsConnection_IsClosed(handle.raw), nats_Now() < deadline {
                    nats_Sleep(10)
                }
            }
            natsConnection_Close(handle.raw)
            retired.destroyAll()
        }
    }

    /// Creates a JetStream context on this connection.
    public func jetStream(options: JetStreamContext.Options = JetStreamContext.Options()) throws -> JetStreamContext {
        try JetStreamContext(connection: self, options: options)
    }
}
