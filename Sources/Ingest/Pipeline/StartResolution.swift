import Columnstore

/// The first start of a consumer with `PROJECTION_START_AT` other than `first`, as a pure decision over
/// what the store holds. The position is resolved against the stream once and recorded in two empty
/// batches through the store's own batch steps:
///
/// 1. the **decision**: a checkpoint at `through + 1` in the internal namespace `<projection>__start`
///    (same consumer and partition), so even "skip nothing" (`through` = 0, e.g. `new` on a stream that
///    never held a message) is on record — a checkpoint of 0 cannot say it;
/// 2. the **skip**: the consumer's own checkpoint at `through`, when `through` > 0.
///
/// A stop anywhere in between (a crash, a lost connection, ClickHouse's intent left pending) is finished
/// by the next start from the record, never decided again: facts published meanwhile are not skipped.
public enum StartResolution {
    /// What the start does next; the pipeline carries it out and asks again until `.start`.
    public enum Action: Hashable, Sendable {
        /// Decided (or nothing to decide): consume from this checkpoint.
        case start(StoredCheckpoint)
        /// Nothing on record: resolve the position against the stream, then record it (`decision(through:)`).
        case resolve
        /// Commit the empty batch over this range in the decision namespace (a new decision, or one
        /// whose intent was left pending).
        case recordDecision(SequenceRange)
        /// Commit the empty batch over this range for the consumer itself.
        case skip(SequenceRange)
    }

    /// Namespace suffix of the decision record. Projection names cannot contain `__`, so it cannot meet
    /// another projection's namespace.
    public static let namespaceSuffix = "__start"

    /// Where the decision of `consumer` is recorded.
    public static func decisionConsumer(of consumer: ConsumerID) -> ConsumerID {
        ConsumerID(projection: consumer.projection + namespaceSuffix, consumer: consumer.consumer, partition: consumer.partition)
    }

    /// The record of a decision to skip through `through` (0: nothing).
    public static func decision(through: UInt64) -> SequenceRange {
        SequenceRange(first: 1, last: through + 1)
    }

    /// The next step, from the consumer's checkpoint and its decision record's checkpoint.
    public static func next(checkpoint: StoredCheckpoint, decision: StoredCheckpoint) -> Action {
        // An interrupted record of the decision is finished exactly as it began (its range holds it).
        if let pending = decision.pending { return .recordDecision(pending) }
        guard decision.committed > 0 else {
            // Never decided. A checkpoint of its own (a consumer that ran before, or an older release's
            // start, recorded as its checkpoint alone) stands; only an empty one decides now.
            return checkpoint == .empty ? .resolve : .start(checkpoint)
        }
        let through = decision.committed - 1
        // The skip is done, nothing was to be skipped, or the consumer has moved on.
        guard checkpoint.committed < through else { return .start(checkpoint) }
        let skip = SequenceRange(first: 1, last: through)
        // The skip not yet made, or its intent left pending (ClickHouse): make it, the same empty batch.
        if checkpoint.committed == 0, checkpoint.pending == nil || checkpoint.pending == skip { return .skip(skip) }
        // A checkpoint below the decision that the skip did not write (a consumer started with `first`
        // before the setting changed, say): it stands.
        return .start(checkpoint)
    }
}
