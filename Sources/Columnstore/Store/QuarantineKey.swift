/// Which quarantine entry of a projection: the durable consumer that recorded it, the partition's stream
/// and the fact's sequence in it. With a stream per partition, sequences repeat across partitions; with
/// another durable on another stream writing the same tables, they repeat across consumers too. So the
/// sequence alone names nothing. Entries recorded before internal tables version 6 have an empty consumer.
///
/// Ordered by sequence, then partition, then consumer: the order quarantine listings page in.
public struct QuarantineKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var partition: Int
    public var sequence: UInt64
    public var consumer: String

    public init(partition: Int, sequence: UInt64, consumer: String = "") {
        self.partition = partition
        self.sequence = sequence
        self.consumer = consumer
    }

    public static func < (a: QuarantineKey, b: QuarantineKey) -> Bool {
        (a.sequence, a.partition, a.consumer) < (b.sequence, b.partition, b.consumer)
    }

    public var description: String { "\(sequence)@p\(partition)" + (consumer.isEmpty ? "" : "/\(consumer)") }
}
