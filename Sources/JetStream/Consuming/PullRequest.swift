/// One pull request to a durable consumer (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<durable>`), as JSON.
struct PullRequest: Equatable, Sendable {
    /// Messages to deliver at most.
    var batch: Int
    /// Bytes to deliver at most; 0: no byte bound.
    var maxBytes: Int
    /// How long the server keeps the request open, in nanoseconds; 0: the server's default.
    var expiresNanoseconds: Int64
    /// Answer at once with what is there (404 when nothing is).
    var noWait: Bool

    /// A request for a client that waits `timeoutMillis`: like libnats, the server is asked to end it
    /// 10 ms earlier (for waits of 20 ms and more), so its 408 usually arrives before the client gives up
    /// and fewer deliveries come late.
    init(batch: Int, maxBytes: Int, timeoutMillis: Int64, noWait: Bool) {
        self.batch = batch
        self.maxBytes = maxBytes
        let millis = timeoutMillis >= 20 ? timeoutMillis - 10 : timeoutMillis
        self.expiresNanoseconds = max(0, millis) * 1_000_000
        self.noWait = noWait
    }

    var json: String {
        var text = "{\"batch\":\(batch)"
        if maxBytes > 0 { text += ",\"max_bytes\":\(maxBytes)" }
        if expiresNanoseconds > 0 { text += ",\"expires\":\(expiresNanoseconds)" }
        if noWait { text += ",\"no_wait\":true" }
        return text + "}"
    }
}
