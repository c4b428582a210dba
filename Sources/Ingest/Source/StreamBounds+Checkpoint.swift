extension StreamBounds {
    /// What the stream's bounds say about facts the checkpoint has not applied and never will, or nil.
    ///
    /// A stream's last sequence never goes down while it exists (a purge keeps it), so a checkpoint past it
    /// means the stream is not the one the checkpoint was written against: deleted and re-created (numbered
    /// from 1 again), or another stream under the same name. The consumer starts after the checkpoint, so
    /// the new stream's facts up to it would be skipped without a word. A first sequence more than one past
    /// the checkpoint means facts left the stream (limits, age, a purge) before they were applied. Neither
    /// can be repaired by ingest; both are reported so an operator can rebuild or restore (docs/OPERATIONS.md).
    public func problem(checkpoint: UInt64) -> String? {
        if checkpoint > last {
            return "the stream's last sequence \(last) is below the checkpoint \(checkpoint): the stream was re-created "
                + "(or PROJECTION_START_AT named a sequence it has not reached); its facts up to \(checkpoint) will not be applied"
        }
        // (A purge of everything leaves first = last + 1: the range ends at `last` then.)
        if first > checkpoint + 1, last > checkpoint {
            return "facts \(checkpoint + 1)…\(first - 1) left the stream before they were applied (its first sequence is \(first))"
        }
        return nil
    }
}
