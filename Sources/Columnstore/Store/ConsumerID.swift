/// Which checkpoint a batch advances: one per projection, durable consumer and stream partition.
/// Partitions (subject-sharded consumers) each get their own.
public struct ConsumerID: Hashable, Sendable, CustomStringConvertible {
    public var projection: String
    public var consumer: String
    public var partition: Int

    public init(projection: String, consumer: String, partition: Int = 0) {
        self.projection = projection
        self.consumer = consumer
        self.partition = partition
    }

    public var description: String { "\(projection)/\(consumer)/\(partition)" }
}

extension ConsumerID {
    /// The durable name ingest uses when `PROJECTION_DURABLE` is not set.
    public static func defaultDurable(projection: String, partition: Int) -> String {
        "projection-\(projection)" + (partition == 0 ? "" : "-p\(partition)")
    }
}
