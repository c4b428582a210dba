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
        /// Why the stream cannot be the one the checkpoint was written against (re-created: its last
        /// sequence is below the checkpoint), or nil; refreshed every second (`StreamBounds.problem(checkpoint:)`).
        public var streamProblem: String?
        /// When the checkpoint last moved (or was loaded).
        public var checkpointMovedAt: Date?
        /// When the oldest fact not yet applied was stored in the stream; nil when unknown or caught up.
        public var oldestPendingAt: Date?
        /// Filled in when read (`evaluated(now:policy:)`): the age of the oldest pending fact, in seconds.
        public var lagSeconds: Double?
        /// Filled in when read: facts are pending and the checkpoint has not moved for the stall time.
        public var stalled = false
        /// Filled in when read: why the consumer is not fresh enough to be ready (stall, lag thresholds).
        public var freshnessProblem: String?

        enum CodingKeys: String, CodingKey {
            case checkpoint, lag
            case streamLastSequence = "stream_last_sequence"
            case streamProblem = "stream_problem"
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
            case checkpointMovedAt = "checkpoint_moved_at"
            case oldestPendingAt = "oldest_pending_at"
            case lagSeconds = "lag_seconds"
            case stalled
            case freshnessProblem = "freshness_problem"
        }

        public var isReady: Bool { natsConnected && consumerBound && storeWritable && !draining && freshnessProblem == nil }
    }

    public struct PendingBatch: Sendable, Codable, Equatable {
        public var first: UInt64
        public var last: UInt64
        public var facts: Int
        public var step: String
        public var attempt: Int
    }

    private let state = Mutex(Snapshot())
    /// The stall alarm and readiness thresholds the snapshot is judged by when read.
    public let freshness: FreshnessPolicy

    public init(freshness: FreshnessPolicy = FreshnessPolicy()) {
        self.freshness = freshness
    }

    /// The status as last written, not judged for freshness.
    public var rawSnapshot: Snapshot { state.withLock { $0 } }

    /// The status with its freshness judged now.
    public var snapshot: Snapshot { rawSnapshot.evaluated(now: Date(), policy: freshness) }

    public func update(_ body: (inout Snapshot) -> Void) {
        state.withLock { body(&$0) }
    }
}
