import Foundation

/// When ingest counts as stale: the stall alarm and the optional readiness thresholds on lag.
public struct FreshnessPolicy: Sendable, Hashable {
    /// `PROJECTION_STALL_AFTER_MS`; default 120000, 0 turns it off: facts are pending and the checkpoint has
    /// not moved for this long. Then `/readyz` fails naming it, `projection_stalled` is 1 and a log line says so.
    public var stallAfter: Duration?
    /// `PROJECTION_READY_MAX_LAG_FACTS`; unset by default: not ready while more facts than this are pending.
    public var maxLagFacts: UInt64?
    /// `PROJECTION_READY_MAX_LAG_SECONDS`; unset by default: not ready while the oldest pending fact is older.
    public var maxLagSeconds: Double?

    public init(stallAfter: Duration? = .seconds(120), maxLagFacts: UInt64? = nil, maxLagSeconds: Double? = nil) {
        self.stallAfter = stallAfter
        self.maxLagFacts = maxLagFacts
        self.maxLagSeconds = maxLagSeconds
    }
}
