/// What the store remembers for one projection consumer (partition): everything at or below
/// `committed` is applied; `pending`, if any, is a batch whose intent was persisted but whose
/// checkpoint was not, and must be re-formed exactly before anything else.
public struct StoredCheckpoint: Hashable, Sendable {
    public var committed: UInt64
    public var pending: SequenceRange?

    public init(committed: UInt64, pending: SequenceRange? = nil) {
        precondition(pending.map { $0.first > committed } ?? true, "a pending batch lies above the checkpoint")
        self.committed = committed
        self.pending = pending
    }

    public static let empty = StoredCheckpoint(committed: 0)
}
