import Columnstore

/// When a batch is cut and how failed steps are retried.
public struct BatchingPolicy: Hashable, Sendable {
    /// Flush when this many facts are collected. ClickHouse wants thousands of rows per insert.
    public var maxFacts: Int
    /// Flush when the facts collected hold this many payload bytes; a batch holds at most this many
    /// (or one fact, if that one is bigger). With `maxFacts` it bounds memory by bytes, not only counts.
    public var maxBytes: Int
    /// Flush a partial batch this long after its first fact arrived, so freshness stays low at low rates.
    public var linger: Duration
    /// First retry delay after a failed store step; doubles per attempt up to `maxBackoff`.
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(maxFacts: Int = 5_000, maxBytes: Int = 8 << 20, linger: Duration = .milliseconds(100), initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5)) {
        precondition(maxFacts > 0 && maxBytes > 0)
        self.maxFacts = maxFacts
        self.maxBytes = maxBytes
        self.linger = linger
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// Capped exponential backoff for the given 1-based attempt.
    public func backoff(attempt: Int) -> Duration {
        var delay = initialBackoff
        for _ in 1..<max(attempt, 1) {
            delay = delay * 2
            if delay >= maxBackoff { return maxBackoff }
        }
        return min(delay, maxBackoff)
    }
}
