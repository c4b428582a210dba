/// Notices a consumer that has gone quiet while the stream still holds facts for it.
///
/// A JetStream consumer can stop delivering without failing: after a leadership change in a cluster, a
/// re-created R3 consumer answered every pull with nothing while facts past the checkpoint waited
/// (docs/RELIABILITY.md). Empty fetches look like "nothing yet", so nothing else would ever re-bind it.
/// Pure: the pipeline feeds it each fetch's outcome and asks the stream only when it says so; a stream
/// that does hold a fact past the checkpoint then means re-creating the consumer from the checkpoint.
public struct StalledConsumerWatch: Sendable {
    /// How long fetches must stay empty, with nothing held, before the stream is asked.
    public let after: Duration
    private var quietSince: ContinuousClock.Instant?

    public init(after: Duration) {
        self.after = after
    }

    /// One fetch came back with `fetched` messages while the pipeline held `idle` nothing: true when the
    /// stream should be asked whether it holds a fact past the checkpoint (then, asked or not, the watch
    /// starts over, so it asks at most once per `after`).
    public mutating func fetched(_ fetched: Int, idle: Bool, now: ContinuousClock.Instant) -> Bool {
        guard fetched == 0, idle else {
            quietSince = nil
            return false
        }
        guard let since = quietSince else {
            quietSince = now
            return false
        }
        guard now - since >= after else { return false }
        quietSince = now
        return true
    }

    /// The consumer was re-created (for any reason): quiet time before it does not count.
    public mutating func rebound() {
        quietSince = nil
    }
}
