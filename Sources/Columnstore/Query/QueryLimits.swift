/// Per-request limits every executor enforces in the store itself.
public struct QueryLimits: Sendable, Hashable {
    /// Deadline of one query (ClickHouse `max_execution_time`, Postgres `statement_timeout`).
    public var timeout: Duration
    /// Most rows one query may return; more is `QueryError.Code.resourceExhausted`.
    public var maxRows: Int
    /// Most bytes of one query's answer as the store sends it (ClickHouse's JSONCompact body, Postgres'
    /// text values); more is `QueryError.Code.resourceExhausted`. Reading stops at the bound, so memory
    /// per request is bounded whatever the rows hold.
    public var maxResultBytes: Int
    /// Store connections kept at most (one per concurrent request).
    public var maxConnections: Int

    public init(timeout: Duration = .seconds(10), maxRows: Int = 10_000, maxResultBytes: Int = 4 << 20, maxConnections: Int = 8) {
        self.timeout = timeout
        self.maxRows = max(1, maxRows)
        self.maxResultBytes = max(1_024, maxResultBytes)
        self.maxConnections = max(1, maxConnections)
    }

    /// Whole milliseconds of the timeout, at least 1.
    public var timeoutMilliseconds: Int {
        let (seconds, attoseconds) = timeout.components
        return Int(max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }
}
