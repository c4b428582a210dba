import Foundation

extension IngestStatus.Snapshot {
    /// The snapshot with its freshness judged at `now` (wall clock, as the facts' timestamps are): lag in
    /// seconds (the age of the oldest fact not yet applied), the stall alarm and why it is not fresh enough
    /// to be ready, if so. Judged when read, so a pipeline blocked on a hung store is still judged.
    func evaluated(now: Date, policy: FreshnessPolicy) -> Self {
        var copy = self
        copy.lagSeconds = lag > 0 ? oldestPendingAt.map { max(0, now.timeIntervalSince($0)) } : 0
        copy.stalled = false
        var problems: [String] = []
        if let stallAfter = policy.stallAfter, lag > 0, !paused, let moved = checkpointMovedAt {
            let still = now.timeIntervalSince(moved)
            if still >= stallAfter.seconds {
                copy.stalled = true
                problems.append("stalled: \(lag) facts pending and the checkpoint has not moved for \(Int(still)) s (PROJECTION_STALL_AFTER_MS)")
            }
        }
        if let maxLagFacts = policy.maxLagFacts, lag > maxLagFacts {
            problems.append("lag of \(lag) facts is over PROJECTION_READY_MAX_LAG_FACTS=\(maxLagFacts)")
        }
        if let maxLagSeconds = policy.maxLagSeconds, let seconds = copy.lagSeconds, seconds > maxLagSeconds {
            problems.append("lag of \(Int(seconds)) s is over PROJECTION_READY_MAX_LAG_SECONDS=\(maxLagSeconds)")
        }
        copy.freshnessProblem = problems.isEmpty ? nil : problems.joined(separator: "; ")
        return copy
    }
}

extension Duration {
    /// Whole and fractional seconds.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
