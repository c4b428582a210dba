import JetStream
import Logging
import ServiceLifecycle

/// The ingress's own NATS connection and JetStream context (acks tracked per message), separate from
/// the consumer's so publishing never queues behind fetches. Connects at start and again on demand;
/// while NATS is unreachable, requests get 503 at once instead of waiting.
actor IngressLink: Service {
    private let url: String
    private let name: String
    private let publishTimeout: Duration
    private let logger: Logger
    private var context: JetStreamContext?
    private var connecting = false
    private var lastFailure: ContinuousClock.Instant?

    init(url: String, projection: String, publishTimeout: Duration, logger: Logger) {
        self.url = url
        self.name = "projection-ingress-\(projection)"
        self.publishTimeout = publishTimeout
        self.logger = logger
    }

    /// A connected context, or `.unavailable`.
    func jetStream() async throws(IngressError) -> JetStreamContext {
        if let context, !context.connection.isClosed {
            guard context.connection.isConnected else { throw Self.unavailable("NATS is reconnecting") }
            return context
        }
        guard !connecting else { throw Self.unavailable("connecting to NATS") }
        if let lastFailure, ContinuousClock.now - lastFailure < .seconds(1) { throw Self.unavailable("NATS is unreachable") }
        connecting = true
        defer { connecting = false }
        do {
            // sendAsap: a request waits for its PubAcks, so its publishes must not sit ~1 ms in
            // libnats' write buffer waiting for more (that wait was most of a single event's time).
            let connection = try await NATSConnection.connect(url: url, name: name, options: .init(connectTimeout: .seconds(2), sendAsap: true))
            let js = try connection.jetStream(options: .init(
                requestTimeout: publishTimeout, maxPendingAsyncPublishes: 65_536, asyncPublishStallWait: publishTimeout, tracksAsyncAcks: true))
            context = js
            lastFailure = nil
            logger.info("ingress connected to NATS", metadata: ["nats": "\(connection.redactedURL)"])
            return js
        } catch {
            lastFailure = ContinuousClock.now
            logger.warning("ingress cannot reach NATS", metadata: ["error": "\(error)"])
            throw Self.unavailable("NATS is unreachable")
        }
    }

    static func unavailable(_ detail: String) -> IngressError {
        IngressError(.unavailable, detail + "; retry (the same event is stored once)")
    }

    func run() async throws {
        _ = try? await jetStream()
        // Nothing to do until shutdown; then in-flight publishes get a moment to be acknowledged.
        try? await gracefulShutdown()
        if let context { await context.connection.close(drainTimeout: .seconds(2)) }
    }
}
