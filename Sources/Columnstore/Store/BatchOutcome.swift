/// What a store step did with a batch, for metrics.
public struct BatchOutcome: Sendable, Hashable {
    /// Facts applied to the tables.
    public var applied: Int
    /// Facts skipped because their idempotency key was already applied (producer duplicates).
    public var duplicates: Int
    public var quarantined: Int

    public init(applied: Int = 0, duplicates: Int = 0, quarantined: Int = 0) {
        self.applied = applied
        self.duplicates = duplicates
        self.quarantined = quarantined
    }
}
