import CNATS
import Foundation

/// A message fetched from a pull consumer. Owns the libnats message (destroyed on release) and
/// keeps its subscription alive so it can still be acked after `PullSubscription.destroy()`.
///
/// `ack`, `nak`, `term` and `inProgress` are cheap (a buffered publish, no round trip) and may be
/// called from any thread.
public final class JetStreamMessage: @unchecked Sendable {
    // @unchecked: the natsMsg is read-only except for header parsing and ack flags,
    // both done under `lock`.

    /// The subject the message was published to.
    public let subject: String
    /// Stream position and delivery count of this delivery.
    public let metadata: Metadata

    private let message: CPointer
    let subscription: SubscriptionHandle
    private let lock = NSLock()
    private var parsedHeaders: [String: [String]]?

    init(message: CPointer, subscription: SubscriptionHandle) {
        self.message = message
        self.subscription = subscription
        subject = natsMsg_GetSubject(message.raw).map { String(cString: $0) } ?? ""
        metadata = Self.readMetadata(message.raw)
    }

    deinit {
        natsMsg_Destroy(message.raw)
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
        lock.lock()
        defer { lock.unlock() }
        if let parsedHeaders { return parsedHeaders }
        let parsed = Self.readHeaders(message.raw)
        parsedHeaders = parsed
        return parsed
    }

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        // In libnats, without building the headers dictionary: the decoder asks every message for
        // headers it usually lacks, and building the dictionary for that was 2.5% of ingest CPU.
        withLock { msg in
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

    /// Acknowledges the message (fire-and-forget; the server learns of it shortly after).
    public func ack() throws {
        try withLock { try natsCheck(natsMsg_Ack($0, nil), "natsMsg_Ack") }
    }

    /// Acknowledges the message and waits until the server confirms it.
    public func ackSync() async throws {
        let message = message
        try await subscription.context.api.run { [self] in
            try withLock { _ in
                var jsErr = jsErrCode(rawValue: 0)
                try natsCheck(natsMsg_AckSync(message.raw, nil, &jsErr), "natsMsg_AckSync", jsErr)
            }
        }
    }

    /// Asks for redelivery, after `delay` if given (else as soon as possible).
    public func nak(delay: Duration? = nil) throws {
        try withLock { msg in
            if let delay {
                try natsCheck(natsMsg_NakWithDelay(msg, max(1, delay.natsMilliseconds), nil), "natsMsg_NakWithDelay")
            } else {
                try natsCheck(natsMsg_Nak(msg, nil), "natsMsg_Nak")
            }
        }
    }

    /// Tells the server never to redeliver this message (e.g. it can never be processed).
    public func term() throws {
        try withLock { try natsCheck(natsMsg_Term($0, nil), "natsMsg_Term") }
    }

    /// Resets the server's ack-wait timer: the message is still being worked on.
    public func inProgress() throws {
        try withLock { try natsCheck(natsMsg_InProgress($0, nil), "natsMsg_InProgress") }
    }

    // MARK: - Private

    private func withLock<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(message.raw)
    }

    private static func readMetadata(_ msg: OpaquePointer) -> Metadata {
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
