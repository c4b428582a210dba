import Foundation

/// Where a pipeline's facts come from: one durable pull consumer of a stream, with ack-all
/// settlement, and the few stream reads the pipeline needs (gap checks, lag, start positions).
/// `JetStreamSource` is the real one; `IngestTestKit.InMemoryMessageSource` a fake with injectable
/// faults (akka-projection's `SourceProvider`), so the pipeline's bookkeeping is tested without servers.
///
/// The pipeline calls it from its own task, except `fetch`, which runs in a child task beside the
/// others, and `isConnected`, which readiness reads.
public protocol MessageSource: Sendable {
    associatedtype Message: SourceMessage

    /// (Re)creates the consumer so that delivery starts at stream sequence `sequence` (1: the stream's
    /// start), numbering its deliveries from 1, and binds to it. The previous binding is dropped once a
    /// fetch still running on it has returned; what that fetch returns is never settled.
    func consume(from sequence: UInt64) async throws

    /// Up to `batch` messages and about `maxBytes` payload bytes, waiting at most `timeout`; `[]` if
    /// none arrived in time. With `fill` it may keep collecting until `batch` or `timeout` even when
    /// some messages are there (a batch lingers anyway; fewer, fuller fetches), without it it may return
    /// as soon as some are there (`FetchPlan` decides).
    func fetch(batch: Int, maxBytes: Int, timeout: Duration, fill: Bool) async throws -> [Message]

    /// Acks (under ack-all, an ack settles every delivery at or below its sequence) and terminates
    /// (poison: never delivered again). Best effort: a lost ack only means a redelivery, which the
    /// checkpoint recognises as applied.
    func settle(acked: [Message], terminated: [Message])

    /// Whether the connection is up now (cheap; readiness reads it).
    var isConnected: Bool { get }

    /// The stream's first and last sequence (creating the stream when it does not exist).
    func streamBounds() async throws -> StreamBounds

    /// The first message of this consumer's subjects at or after `sequence`, with the time the stream
    /// stored it, or nil when there is none.
    func firstMessage(atOrAfter sequence: UInt64) async throws -> (sequence: UInt64, storedAt: Date?)?

    /// Publishes a message to this consumer's stream (a quarantined fact re-driven), deduplicated by
    /// `messageID`; returns its stream sequence. Throws, storing nothing, when the subject is not this
    /// stream's.
    func publish(subject: String, data: [UInt8], headers: [String: String], messageID: String) async throws -> UInt64

    /// Drops the binding and the connection.
    func close() async
}
