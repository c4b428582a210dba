import Logging

/// How the ingest's store talks to its server.
public struct ProjectionStoreOptions: Sendable {
    /// A store request's deadline (ClickHouse: the HTTP request; Postgres: each statement).
    public var timeout: Duration
    /// Postgres only: the server ends a transaction left idle this long, so a writer frozen mid-batch
    /// (SIGSTOP, a stalled VM) holds its checkpoint row lock at most this long (replica mode: one lease TTL).
    public var idleTransactionTimeout: Duration?
    public var logger: Logger

    public init(timeout: Duration, idleTransactionTimeout: Duration? = nil, logger: Logger) {
        self.timeout = timeout
        self.idleTransactionTimeout = idleTransactionTimeout
        self.logger = logger
    }
}
