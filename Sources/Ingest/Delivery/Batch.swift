import Columnstore

/// A deterministic batch: a stream-sequence range and the sequences in it that this consumer holds.
///
/// The range, not the message count, names the batch: deduplication tokens are derived from it, so a
/// batch re-formed after a crash gets the same tokens as the attempt that crashed.
public struct Batch: Hashable, Sendable {
    public var range: SequenceRange
    /// Sequences in the batch, ascending. A subset of `range` when the stream has gaps.
    public var sequences: [UInt64]
    /// True when this batch re-forms a pending batch found in the store at startup.
    public var isRecovery: Bool

    public init(range: SequenceRange, sequences: [UInt64], isRecovery: Bool = false) {
        self.range = range
        self.sequences = sequences
        self.isRecovery = isRecovery
    }
}
