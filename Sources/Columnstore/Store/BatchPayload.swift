/// Everything one batch writes. It is a pure function of the batch's messages, so a batch re-formed
/// after a crash yields the same payload, the same deduplication tokens and the same rows.
public struct BatchPayload: Sendable {
    public var consumer: ConsumerID
    public var range: SequenceRange
    /// Mapped facts in stream order. Facts whose idempotency key was applied before are dropped by the store.
    public var facts: [MappedFact]
    public var quarantined: [QuarantinedFact]
    /// The partition lease this batch is written under (its fencing token), or nil when the consumer is
    /// not leased (one process per partition, configured by hand). The store rejects the batch with
    /// `StoreError.fenced` once a newer epoch fenced the partition.
    public var leaseEpoch: UInt64?

    public init(consumer: ConsumerID, range: SequenceRange, facts: [MappedFact], quarantined: [QuarantinedFact], leaseEpoch: UInt64? = nil) {
        self.consumer = consumer
        self.range = range
        self.facts = facts
        self.quarantined = quarantined
        self.leaseEpoch = leaseEpoch
    }

    /// The `insert_deduplication_token` for one table's insert of this batch:
    /// `<projection>:<table>:<scope>:<first>-<last>`, the scope naming the sequence space the range is in
    /// (`ClickHouseBatchScope`). An empty scope gives the tokens of releases before 2026-12-06,
    /// `<projection>:<table>:<first>-<last>[:p<partition>]`, for a batch left pending by such a release.
    public func deduplicationToken(table: String, scope: String = "") -> String {
        guard scope.isEmpty else { return "\(consumer.projection):\(table):\(scope):\(range.first)-\(range.last)" }
        var token = "\(consumer.projection):\(table):\(range.first)-\(range.last)"
        if consumer.partition != 0 { token += ":p\(consumer.partition)" }
        return token
    }

    /// Drops facts whose (type, tenant, key) occurs earlier in this batch: the first in stream order wins.
    public func withoutInBatchDuplicates() -> (facts: [MappedFact], duplicates: Int) {
        var seen = Set<IdempotencyKey>()
        seen.reserveCapacity(facts.count)
        let kept = facts.filter { seen.insert(IdempotencyKey($0)).inserted }
        return (kept, facts.count - kept.count)
    }
}
