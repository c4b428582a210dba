import Columnstore

/// The sequence space a ClickHouse batch's range lies in: the consumer (durable) and its partition.
/// It is part of every deduplication token and of the batch's identity in `_projection_seen_keys`, so
/// ranges of two sequence spaces writing the same tables (a new durable on another stream, a stream read
/// again under a new durable) never share a token, which ClickHouse would take for a retry and drop.
///
/// A batch's scope is recorded in its intent row (`_projection_checkpoints.batch_scope`) and a pending
/// batch is re-formed under the recorded scope, not the current one: across an upgrade (the empty,
/// legacy scope) and across a rebuild's cutover (which renames the consumer) it keeps the tokens and the
/// identity its first attempt wrote.
struct ClickHouseBatchScope: Hashable, Sendable {
    /// Empty for a batch that a release before 2026-12-06 left pending.
    let name: String

    /// The scope of a new batch of `consumer`. Unique per (consumer, partition): the partition is the
    /// last `/p<digits>`, so no other pair spells the same name.
    static func current(for consumer: ConsumerID) -> Self {
        Self(name: "\(consumer.consumer)/p\(consumer.partition)")
    }

    /// Tokens without a scope and the seen-key rule by sequence, as written before 2026-12-06.
    static let legacy = Self(name: "")

    var isLegacy: Bool { name.isEmpty }

    /// The `batch` column of the seen-key rows a batch of `range` records; empty for the legacy scope
    /// (rows written before the column existed read as empty too).
    func batchID(_ range: SequenceRange) -> String {
        isLegacy ? "" : "\(name)/\(range.first)-\(range.last)"
    }
}
