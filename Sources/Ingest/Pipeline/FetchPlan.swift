/// How long the pipeline's next fetch may wait, and whether it should fill (keep one pull open for the
/// whole wait) or return as soon as some messages are there. Pure: the pipeline asks it before each fetch.
///
/// Filling while a batch is open is what keeps a trickle cheap: at 1,500 events/s arriving one by one,
/// fetches that return at the first message cost a pull request, a reply and several thread hops per
/// event, although the batch would linger until its deadline anyway. With nothing open, a fetch still
/// returns what is there at once, so a backlog or a first message starts its batch without waiting.
public struct FetchPlan: Equatable, Sendable {
    public var timeout: Duration
    public var fill: Bool

    /// Shortest wait: a pull the client abandons after a millisecond is still served by the server, and
    /// its late deliveries wait in the subscription (see PullSubscription.fetch).
    public static let minimumWait = Duration.milliseconds(10)
    /// Longest wait: the loop notices a drain or pause between fetches.
    public static let maximumWait = Duration.milliseconds(500)

    public init(timeout: Duration, fill: Bool) {
        self.timeout = timeout
        self.fill = fill
    }

    /// - Parameters:
    ///   - openUntil: when the open batch's linger ends (nil: nothing open). A fetch ending then lets
    ///     the batch be cut on time, whether it is cut at once or after the batch in flight is written.
    ///   - linger: `PROJECTION_BATCH_LINGER_MS`: with nothing open, a fetch still must not hold a fact
    ///     longer than the linger would.
    public static func next(openUntil: ContinuousClock.Instant?, now: ContinuousClock.Instant, linger: Duration) -> FetchPlan {
        guard let openUntil else { return FetchPlan(timeout: clamped(linger), fill: false) }
        return FetchPlan(timeout: clamped(openUntil - now), fill: true)
    }

    private static func clamped(_ wait: Duration) -> Duration {
        max(minimumWait, min(wait, maximumWait))
    }
}
