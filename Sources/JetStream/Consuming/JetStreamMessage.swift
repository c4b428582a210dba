import CNATS
import Foundation
import Synchronization

/// A message fetched from a pull consumer. Owns the libnats message (destroyed on release) and
/// keeps its subscription alive so it can still be acked after `PullSubscription.destroy()`.
///
/// `ack`, `nak`, `term` and `inProgress` are cheap (a buffered publish to the delivery's ack subject,
/// no round trip) and may be called from any thread.
public final class JetStreamMessage: @unchecked Sendable {
    // @unchecked: the natsMsg is read-only except for header parsing and ack flags,
    // both done under `state`'s lock.

    /// The subject the message was published to.
    public let subject: String
    /// Stream position and delivery count of this delivery.
    public let metadata: Metadata

    private let message: CPointer
    let subscription: SubscriptionHandle
    /// A `Mutex` (inline) rather than an `NSLock` (an object of its own, allocated per message).
    private let state = Mutex(State())

    private struct State {
        var parsedHeaders: [String: [String]]?
        /// Acked, naked or termed: later acks are no-ops (as libnats' `natsMsg_isAcked`).
        var settled = false
    }

    init(message: CPointer, subscription: SubscriptionHandle) {
        self.message = message
        self.subscription = subscription
        subject = natsMsg_GetSubject(message.raw).map { String(cString: $0) } ?? ""
        metadata = Self.readMetadata(message.raw)
    }

    deinit {
        projection_natsMsg_DestroyNow(message.raw)
    }

    // MARK: - Payload

    /// Payload size in bytes.
    public var dataCount: Int {
        Int(natsMsg_GetDataLength(message.raw))
    }

    /// A copy of the payload. Each access copies; use `withUnsafeData` to read without copying.
    public var data: [UInt8] {
        withUnsafeData { Array($0) }
    }

    /// Calls `body` with the payload bytes, valid only during the call (no copy).
    public func withUnsafeData<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) {
            let length = Int(natsMsg_GetDataLength(message.raw))
            guard length > 0, let bytes = natsMsg_GetData(message.raw) else {
                return try body(UnsafeRawBufferPointer(start: nil, count: 0))
            }
            return try body(UnsafeRawBufferPointer(start: bytes, count: length))
        }
    }

    // MARK: - Headers

    /// All headers, by name as sent (names are case-sensitive here; see `header(_:)`).
    /// Parsed on first access and cached.
    public var headers: [String: [String]] {
        let msg = message.raw
        return state.withLock { state in
            if let parsed = state.parsedHeaders { return parsed }
            let parsed = Self.readHeaders(msg)
            state.parsedHeaders = parsed
            return parsed
        }
    }

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        // In libnats, without building the headers dictionary: the decoder asks every message for
        // headers it usually lacks, and building the dictionary for that was 2.5% of ingest CPU.
        let msg = message.raw
        return state.withLock { _ in
            var value: UnsafePointer<CChar>?
            if natsMsgHeader_Get(msg, name, &value) == NATS_OK, let value { return String(cString: value) }
            var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
            var keyCount: Int32 = 0
            guard natsMsgHeader_Keys(msg, &keys, &keyCount) == NATS_OK, let keys else { return nil }
            defer { free(keys) }
            for index in 0..<Int(keyCount) {
                guard let key = keys[index], strcasecmp(key, name) == 0 else { continue }
                guard natsMsgHeader_Get(msg, key, &value) == NATS_OK, let value else { return nil }
                return String(cString: value)
            }
            return nil
        }
    }

    // MARK: - Acknowledgement
    //
    // Published to the delivery's ack subject directly (what libnats' natsMsg_Ack does): libnats' ack
    // functions need a JetStream subscription, and deliveries arrive on a plain one (`SubscriptionHandle`).

    /// Acknowledges the message (fire-and-forget; the server learns of it shortly after).
    public func ack() throws {
        try settle("+ACK", operation: "ack")
    }

    /// Acknowledges the message and waits until the server confirms it.
    public func ackSync() async throws {
        let connection = subscription.context.connection.handle
        let waitMillis = max(1, subscription.context.options.requestTimeout.natsMilliseconds)
        try await subscription.context.api.run { [self] in
            try state.withLock { state in
                guard !state.settled else { return }
                let reply = try ackSubject(message.raw, operation: "ackSync")
                var answer: OpaquePointer?
                try natsCheck(natsConnection_RequestString(&answer, connection.raw, reply, "+ACK", waitMillis), "ackSync")
                projection_natsMsg_DestroyNow(answer)
                state.settled = true
            }
        }
    }

    /// Asks for redelivery, after `delay` if given (else as soon as possible).
    public func nak(delay: Duration? = nil) throws {
        if let delay {
            try settle("-NAK {\"delay\":\(max(1, delay.natsMilliseconds) * 1_000_000)}", operation: "nak")
        } else {
            try settle("-NAK", operation: "nak")
        }
    }

    /// Tells the server never to redeliver this message (e.g. it can never be processed).
    public func term() throws {
        try settle("+TERM", operation: "term")
    }

    /// Resets the server's ack-wait timer: the message is still being worked on.
    public func inProgress() throws {
        try settle("+WPI", operation: "inProgress", final: false)
    }

    // MARK: - Private

    /// Publishes `body` to the ack subject, once per message unless `final` is false (progress).
    private func settle(_ body: String, operation: String, final: Bool = true) throws {
        let connection = subscription.context.connection.handle
        let msg = message.raw
        try state.withLock { state in
            guard !state.settled else { return }
            let reply = try ackSubject(msg, operation: operation)
            try natsCheck(natsConnection_PublishString(connection.raw, reply, body), operation)
            if final { state.settled = true }
        }
    }

    private func ackSubject(_ msg: OpaquePointer, operation: String) throws -> UnsafePointer<CChar> {
        guard let reply = natsMsg_GetReply(msg), reply.pointee != 0 else {
            throw NATSError(code: .invalidArgument, operation: operation, detail: "not a JetStream delivery (no ack subject)")
        }
        return reply
    }

    private static func readMetadata(_ msg: OpaquePointer) -> Metadata {
        if let reply = natsMsg_GetReply(msg),
           let parsed = AckSubjectMetadata.parse(UnsafeRawBufferPointer(start: reply, count: strlen(reply))) {
            return parsed
        }
        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        guard natsMsg_GetMetaData(&meta, msg) == NATS_OK, let meta else {
            // Only non-JetStream messages lack metadata; a pull consumer never delivers those.
            return Metadata(streamSequence: 0, consumerSequence: 0, numDelivered: 0, numPending: 0, timestampNanoseconds: 0)
        }
        defer { jsMsgMetaData_Destroy(meta) }
        let m = meta.pointee
        return Metadata(
            streamSequence: m.Sequence.Stream,
            consumerSequence: m.Sequence.Consumer,
            numDelivered: m.NumDelivered,
            numPending: m.NumPending,
            timestampNanoseconds: m.Timestamp
        )
    }

    private static func readHeaders(_ msg: OpaquePointer) -> [String: [String]] {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var keyCount: Int32 = 0
        guard natsMsgHeader_Keys(msg, &keys, &keyCount) == NATS_OK, let keys else { return [:] }
        defer { free(keys) }
        var result: [String: [String]] = [:]
        for index in 0..<Int(keyCount) {
            guard let key = keys[index] else { continue }
            var values: UnsafeMutablePointer<UnsafePointer<CChar>?>?
            var valueCount: Int32 = 0
            guard natsMsgHeader_Values(msg, key, &values, &valueCount) == NATS_OK, let values else { continue }
            defer { free(values) }
            result[String(cString: key)] = stringsFromCArray(values, count: valueCount)
        }
        return result
    }
}
