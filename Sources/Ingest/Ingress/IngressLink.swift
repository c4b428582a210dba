import JetStream
import Logging
import ServiceLifecycle

/// The ingress's own NATS connections and JetStream contexts (acks tracked per message), separate from
/// the consumer's so publishing never queues behind fetches. Connects at start and again on demand;
/// while NATS is unreachable, requests get 503 at once instead of waiting.
///
/// Two connections, because libnats' `sendAsap` is per connection and each choice is wrong for one kind
/// of request. A request of a few events waits for their PubAcks, so its publishes must not sit ~1 ms in
/// libnats' write buffer for the flusher (that wait was most of a single event's time): `sendAsap`. A
/// batch of hundreds sent that way costs one socket write per event (and a nats-server read for each),
/// so batches go through a buffered connection whose writes carry many events each.
actor IngressLink: Service {
    /// Most messages a request may have to be sent on the `sendAsap` connection.
    static let immediateMessages = 8

    private let url: String
    private let name: String
    private let publishTimeout: Duration
    private let logger: Logger
    private var contexts: (immediate: JetStreamContext, buffered: JetStreamContext)?
    private var connecting = false
    private var closed = false
    private var lastFailure: ContinuousClock.Instant?

    init(url: String, projection: String, publishTimeout: Duration, logger: Logger) {
        self.url = url
        self.name = "projection-ingress-\(projection)"
        self.publishTimeout = publishTimeout
        self.logger = logger
    }

    /// A connected context for a request of `messages` messages, or `.unavailable`.
    func jetStream(messages: Int = 1) async throws(IngressError) -> JetStreamContext {
        let pair = try await connected()
        let context = messages <= Self.immediateMessages ? pair.immediate : pair.buffered
        guard context.connection.isConnected else { throw Self.unavailable("NATS is reconnecting") }
        return context
    }

    private func connected() async throws(IngressError) -> (immediate: JetStreamContext, buffered: JetStreamContext) {
        // libnats reconnects a connection by itself; only a closed one (out of attempts) is replaced.
        if let contexts, !contexts.immediate.connection.isClosed, !contexts.buffered.connection.isClosed {
            return contexts
        }
        // Once closed at shutdown it stays closed: a connection opened now would never be drained or closed.
        guard !closed else { throw Self.unavailable("shutting down") }
        guard !connecting else { throw Self.unavailable("connecting to NATS") }
        if let lastFailure, ContinuousClock.now - lastFailure < .seconds(1) { throw Self.unavailable("NATS is unreachable") }
        connecting = true
        defer { connecting = false }
        if let stale = contexts {
            contexts = nil
            await stale.immediate.connection.close()
            await stale.buffered.connection.close()
        }
        var opened: [NATSConnection] = []
        do {
            var made: [JetStreamContext] = []
            for sendAsap in [true, false] {
                let connection = try await NATSConnection.connect(url: url, name: name, options: .init(connectTimeout: .seconds(2), sendAsap: sendAsap))
                opened.append(connection)
                made.append(try connection.jetStream(options: .init(
                    requestTimeout: publishTimeout, maxPendingAsyncPublishes: 65_536, asyncPublishStallWait: publishTimeout, tracksAsyncAcks: true)))
            }
            let pair = (immediate: made[0], buffered: made[1])
            // Shut down while it connected: nothing would close these.
            if closed {
                for connection in opened { await connection.close() }
                return pair  // closed connections: the caller answers 503, as for any closed link
            }
            contexts = pair
            lastFailure = nil
            logger.info("ingress connected to NATS", metadata: ["nats": "\(pair.immediate.connection.redactedURL)"])
            return pair
        } catch {
            for connection in opened { await connection.close() }
            lastFailure = ContinuousClock.now
            logger.warning("ingress cannot reach NATS", metadata: ["error": "\(error)"])
            throw Self.unavailable("NATS is unreachable")
        }
    }

    static func unavailable(_ detail: String) -> IngressError {
        IngressError(.unavailable, detail + "; retry (the same event is stored once)")
    }

    func run() async throws {
        _ = try? await connected()
        // Nothing to do until shutdown; then in-flight publishes get a moment to be acknowledged.
        try? await gracefulShutdown()
        closed = true
        if let contexts {
            await contexts.immediate.connection.close(drainTimeout: .seconds(2))
            await contexts.buffered.connection.close(drainTimeout: .seconds(2))
        }
    }
}
