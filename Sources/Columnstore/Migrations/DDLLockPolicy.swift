/// How long a migration statement may wait for a table lock (Postgres `lock_timeout`), and how long a
/// file is retried after such waits. A DDL statement waiting for a lock blocks every later query of its
/// table behind it, so each wait is short and the file is tried again instead.
public struct DDLLockPolicy: Sendable, Hashable {
    /// One attempt's wait for each table lock.
    public var attempt: Duration
    /// All attempts of one file together (`apply --lock-timeout`).
    public var total: Duration

    public init(attempt: Duration = .seconds(5), total: Duration = .seconds(60)) {
        self.attempt = attempt
        self.total = total
    }

    /// The pause before attempt `n + 1`: 1 s, 2 s, 4 s, capped at 8 s, so the session holding the lock gets
    /// stretches without a queued DDL statement in front of its table.
    public func pause(afterAttempt n: Int) -> Duration {
        .seconds(1 << min(max(n - 1, 0), 3))
    }
}
