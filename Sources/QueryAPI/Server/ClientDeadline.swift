/// A client's deadline (`Connect-Timeout-Ms`), counted from the request's arrival.
///
/// It travels down: the store executor is given it and tells the store the shorter of it and the
/// server's timeout (Postgres: libpq's poll cancels the statement; ClickHouse: `max_execution_time`
/// and the transfer's timeout). So the query itself stops at the deadline, the handler awaits it
/// in its own task, and the concurrency slot is released when the work has really ended. Nothing
/// races the work in another task, and nothing outlives the request handler.
struct ClientDeadline: Sendable {
    /// When the deadline passes.
    let instant: ContinuousClock.Instant
    /// The client's value, for the message.
    let reported: Duration

    init(arrival: ContinuousClock.Instant, timeout: Duration) {
        self.instant = arrival + timeout
        self.reported = timeout
    }

    var hasPassed: Bool { ContinuousClock.now >= instant }

    /// The answer once the deadline has passed.
    var exceeded: ConnectError { Self.exceeded(reported) }

    /// A store's deadline error is the client's when the client's deadline is what passed (it was
    /// the shorter one); the server's own timeout keeps its own message.
    func judge(_ error: ConnectError) -> ConnectError {
        error.code == .deadlineExceeded && hasPassed ? exceeded : error
    }

    static func exceeded(_ timeout: Duration) -> ConnectError {
        let ms = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        return ConnectError(.deadlineExceeded, "the client's deadline (Connect-Timeout-Ms: \(ms)) passed")
    }
}
