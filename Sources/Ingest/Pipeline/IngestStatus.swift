import Foundation
import Synchronization

/// What the pipeline reports about itself to `/readyz` and `/admin/ingestion`. Written by the pipeline,
/// read by HTTP handlers on other threads, hence the lock.
public final class IngestStatus: Sendable {
    public struct Snapshot: Sendable, Codable, Equatable {
        public var checkpoint: UInt64 = 0
        public var streamLastSequence: UInt64 = 0
        public var lag: UInt64 = 0
        public var pendingBatch: PendingBatch?
        public var lastError: String?
        public var lastErrorAt: String?
        public var natsConnected = false
        public var consumerBound = false
        public var storeWritable = false
        public var draining = false
        /// Paused by the admin API: healthy and ready, but not fetching.
        public var paused = false
        public var factsApplied: UInt64 = 0
        public var factsQuarantined: UInt64 = 0
        public var factsDuplicate: UInt64 = 0

        enum CodingKeys: String, CodingKey {
            case checkpoint, lag
            case streamLastSequence = "stream_last_sequence"
            case pendingBatch = "pending_batch"
            case lastError = "last_error"
            case lastErrorAt = "last_error_at"
            case natsConnected = "nats_connected"
            case consumerBound = "consumer_bound"
            case storeWritable = "store_writable"
            case draining, paused
            case factsApplied = "facts_applied"
            case factsQuarantined = "facts_quarantined"
            case factsDuplicate = "facts_duplicate"
        }

        public var isReady: Bool { natsConnected && consumerBound && storeWritable && !draining }
    }

    public struct PendingBatch: Sendable, Codable, Equatable {
        public var first: UInt64
        public var last: UInt64
        public var facts: Int
        public var step: String
        public var attempt: Int
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func update(_ body: (inout Snapshot) -> Void) {
        state.withLock { body(&$0) }
    }
}
