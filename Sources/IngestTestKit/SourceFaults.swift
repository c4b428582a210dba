/// What goes wrong between the stream and the pipeline, drawn from a seeded generator so a failing
/// run can be repeated. Rates are per delivery (`lose`, `duplicate`) or per fetch (the others).
public struct SourceFaults: Sendable {
    /// A delivery numbered by the server but never received (a pull the client gave up on).
    public var lose: Double
    /// A delivery followed in the same fetch by its own redelivery.
    public var duplicate: Double
    /// The fetch fails (NATS unreachable, the consumer gone).
    public var failFetch: Double
    /// The ack wait expires after the fetch: every unacked delivery comes again, before newer ones.
    public var expireAckWait: Double
    /// The first this many consumers (bindings) deliver nothing at all, without failing: a consumer gone
    /// quiet after a cluster's leadership change.
    public var silentBindings: Int
    public var seed: UInt64

    public init(lose: Double = 0, duplicate: Double = 0, failFetch: Double = 0, expireAckWait: Double = 0, silentBindings: Int = 0, seed: UInt64 = 1) {
        self.lose = lose
        self.duplicate = duplicate
        self.failFetch = failFetch
        self.expireAckWait = expireAckWait
        self.silentBindings = silentBindings
        self.seed = seed
    }

    public static let none = SourceFaults()
}
