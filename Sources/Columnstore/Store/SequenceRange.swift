/// An inclusive range of JetStream stream sequences: the identity of one batch.
///
/// A batch is always a contiguous run of the stream as delivered to this consumer, so its range
/// is enough to re-form exactly the same batch after a crash.
public struct SequenceRange: Hashable, Sendable, CustomStringConvertible {
    public var first: UInt64
    public var last: UInt64

    public init(first: UInt64, last: UInt64) {
        precondition(first <= last, "a sequence range runs forwards")
        self.first = first
        self.last = last
    }

    public func contains(_ sequence: UInt64) -> Bool { sequence >= first && sequence <= last }

    public var description: String { "\(first)-\(last)" }
}
