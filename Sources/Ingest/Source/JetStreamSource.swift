import Foundation
import JetStream
import Synchronization

/// The pipeline's `MessageSource` on NATS JetStream: one durable pull consumer with ack-all, which is
/// deleted and re-created at every `consume(from:)` (the store's checkpoint is the truth; the consumer's
/// own ack state is only a cache of it). Connects on first use; libnats reconnects by itself afterwards.
public actor JetStreamSource: MessageSource {
    public typealias Message = JetStreamMessage

    private let url: String
    private let connectionName: String
    private let stream: String
    private let subjects: [String]
    private let durable: String
    private let ackWait: Duration
    private let maxAckPending: Int
    private let replicas: Int
    /// The subject the stream reads filter on: the consumer's one subject, or all.
    private let filter: String

    /// Read by `isConnected` from any thread.
    private nonisolated let current = Mutex<NATSConnection?>(nil)
    private var jetStream: JetStreamContext?
    private var subscription: PullSubscription?
    private var streamEnsured = false
    /// Fetches running on the current binding, and who waits for them to end.
    private var fetching = 0
    private var fetchesEnded: [CheckedContinuation<Void, Never>] = []

    public init(configuration: IngestConfiguration) {
        self.url = configuration.natsURL
        self.connectionName = "projection-ingest-\(configuration.projection)"
        self.stream = configuration.stream
        self.subjects = configuration.subjects
        self.durable = configuration.durable
        self.ackWait = configuration.ackWait
        self.maxAckPending = configuration.maxAckPending
        self.replicas = configuration.streamReplicas
        self.filter = configuration.subjects.count == 1 ? configuration.subjects[0] : ">"
    }

    public func consume(from sequence: UInt64) async throws {
        // A pull still running on the old binding could be served by the re-created consumer (same
        // durable name) and its deliveries dropped: let it end first.
        while fetching > 0 { await withCheckedContinuation { fetchesEnded.append($0) } }
        let js = try await context()
        // Every time: a stream deleted meanwhile (an operator, a test) is made again.
        try await js.ensureStream(name: stream, subjects: subjects, storage: .file, replicas: replicas)
        streamEnsured = true
        // Settlements queued on the old binding go out to the old consumer; later ones of its messages
        // are skipped (their acks would reach the new consumer with old delivery sequences).
        await subscription?.retire()
        try? await js.deleteConsumer(stream: stream, durable: durable)
        _ = try await js.ensurePullConsumer(stream: stream, config: ConsumerConfig(
            durableName: durable,
            filterSubject: subjects.count == 1 ? subjects[0] : nil,
            ackWait: ackWait,
            maxAckPending: maxAckPending,
            maxDeliver: -1,
            deliverPolicy: sequence <= 1 ? .all : .startSequence(sequence),
            ackPolicy: .all,
            // One copy, whatever the stream's replicas: the store's checkpoint is the truth and the consumer
            // is re-created at every binding, so replicating its state buys nothing. Replicated (R3), each
            // re-creation made a new Raft group that a restarted node had to catch up on, and nats-server's
            // /healthz said "consumer not current" for minutes of a rolling restart. If the node holding it
            // dies, fetches fail or go quiet and the consumer is re-created on a live node.
            replicas: 1))
        // Destroyed, never unsubscribed: nats.c would delete the durable behind our back.
        subscription?.destroy()
        subscription = try await js.bindPullConsumer(stream: stream, durable: durable)
    }

    public func fetch(batch: Int, maxBytes: Int, timeout: Duration, fill: Bool) async throws -> [JetStreamMessage] {
        guard let subscription else { throw NATSError(code: .subscriptionClosed, operation: "fetch", detail: "not consuming") }
        fetching += 1
        defer {
            fetching -= 1
            if fetching == 0 {
                for waiter in fetchesEnded { waiter.resume() }
                fetchesEnded.removeAll()
            }
        }
        return try await subscription.fetch(batch: batch, maxBytes: maxBytes, timeout: timeout, fill: fill)
    }

    public nonisolated func settle(acked: [JetStreamMessage], terminated: [JetStreamMessage]) {
        JetStreamMessage.settle(acked: acked, terminated: terminated)
    }

    public nonisolated var isConnected: Bool {
        current.withLock { $0?.isConnected ?? false }
    }

    public func streamBounds() async throws -> StreamBounds {
        let js = try await context()
        try await ensureStream(js)
        let info = try await js.streamInfo(name: stream)
        return StreamBounds(first: info.firstSequence, last: info.lastSequence)
    }

    public func firstMessage(atOrAfter sequence: UInt64) async throws -> (sequence: UInt64, storedAt: Date?)? {
        try await context().firstMessage(stream: stream, atOrAfter: sequence, subject: filter)
    }

    public func publish(subject: String, data: [UInt8], headers: [String: String], messageID: String) async throws -> UInt64 {
        // Only into this consumer's stream: a subject another stream captures now (the streams were
        // reconfigured) is refused there, so a re-driven fact never lands where this ingest cannot read it.
        try await context().publish(subject: subject, data: data, headers: headers, messageID: messageID, expectedStream: stream).sequence
    }

    /// A key-value bucket (no expiry) on the same connection: the console's skip audit.
    public func keyValueBucket(name: String) async throws -> KeyValueBucket {
        try await context().keyValueBucket(name: name, ttl: .zero, replicas: replicas)
    }

    public func close() async {
        subscription?.destroy()
        subscription = nil
        jetStream = nil
        let connection = current.withLock { connection in
            defer { connection = nil }
            return connection
        }
        await connection?.close()
    }

    /// The JetStream context, connecting first when there is no open connection.
    private func context() async throws -> JetStreamContext {
        if let jetStream, current.withLock({ $0.map { !$0.isClosed } ?? false }) { return jetStream }
        let connection = try await NATSConnection.connect(url: url, name: connectionName)
        // Another caller (the loop and an admin request) may have connected while this one waited: keep
        // one connection, the one the consumer and `isConnected` see.
        if let jetStream, current.withLock({ $0.map { !$0.isClosed } ?? false }) {
            await connection.close()
            return jetStream
        }
        let js = try connection.jetStream()
        current.withLock { $0 = connection }
        jetStream = js
        return js
    }

    private func ensureStream(_ js: JetStreamContext) async throws {
        guard !streamEnsured else { return }
        try await js.ensureStream(name: stream, subjects: subjects, storage: .file, replicas: replicas)
        streamEnsured = true
    }
}
