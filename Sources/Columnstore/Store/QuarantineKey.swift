/// Which quarantine entry of a projection: the partition's stream and the fact's sequence in it. With a
/// stream per partition, sequences repeat across partitions, so the sequence alone names nothing.
///
/// Ordered by sequence, then partition: the order quarantine listings page in.
public struct QuarantineKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var partition: Int
    public var sequence: UInt64

    public init(partition: Int, sequence: UInt64) {
        self.partition = partition
        self.sequence = sequence
    }

    public static func < (a: QuarantineKey, b: QuarantineKey) -> Bool {
        (a.sequence, a.partition) < (b.sequence, b.partition)
    }

    public var description: String { "\(sequence)@p\(partition)" }
}
