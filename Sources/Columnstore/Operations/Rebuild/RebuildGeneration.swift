/// Names of the tables and internal rows of a rebuild, next to the live ones.
///
/// A rebuild writes shadow tables `<table>__rebuild`, and keeps its checkpoint, seen keys and quarantine
/// under the internal namespace `<projection>__rebuild`, so it never sees the live consumer's keys or
/// checkpoint. A cutover swaps both in; with `keepPrevious` the replaced ones stay as `__previous` for a
/// rollback.
public struct RebuildGeneration: Sendable, Hashable {
    public static let rebuildSuffix = "__rebuild"
    public static let previousSuffix = "__previous"

    /// The live consumer (namespace = the projection name); partition 0's in replica mode.
    public var live: ConsumerID
    /// Every live consumer: `live` alone, or one per partition of a partitioned projection
    /// (`PROJECTION_PARTITIONS`). Each has its own checkpoint row, which a swap moves.
    public var consumers: [ConsumerID]
    /// partition → lease epoch the cutover holds for it (replica mode). A swap raises the live
    /// checkpoint's `lease_epoch` to it, so a replica that wrote under an older lease is fenced off.
    public var leaseEpochs: [Int: UInt64] = [:]

    public init(live: ConsumerID, consumers: [ConsumerID]? = nil) {
        self.live = live
        self.consumers = consumers ?? [live]
    }

    /// The consumer a rebuild runs as: same partition, own durable and namespace.
    public var rebuild: ConsumerID { rebuild(of: live) }

    /// The rebuild's consumer for one of the live `consumers`.
    public func rebuild(of consumer: ConsumerID) -> ConsumerID {
        ConsumerID(projection: live.projection + Self.rebuildSuffix, consumer: consumer.consumer + Self.rebuildSuffix, partition: consumer.partition)
    }

    /// Where the replaced generation is kept after a cutover with `keepPrevious`.
    public var previous: ConsumerID {
        ConsumerID(projection: live.projection + Self.previousSuffix, consumer: live.consumer + Self.previousSuffix, partition: live.partition)
    }
}
