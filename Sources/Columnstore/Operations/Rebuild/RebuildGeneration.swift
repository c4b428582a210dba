/// Names of the tables and internal rows of a rebuild, next to the live ones.
///
/// A rebuild writes shadow tables `<table>__rebuild`, and keeps its checkpoint, seen keys and quarantine
/// under the internal namespace `<projection>__rebuild`, so it never sees the live consumer's keys or
/// checkpoint. A cutover swaps both in; with `keepPrevious` the replaced ones stay as `__previous` for a
/// rollback.
public struct RebuildGeneration: Sendable, Hashable {
    public static let rebuildSuffix = "__rebuild"
    public static let previousSuffix = "__previous"

    /// The live consumer (namespace = the projection name).
    public var live: ConsumerID

    public init(live: ConsumerID) {
        self.live = live
    }

    /// The consumer a rebuild runs as: same partition, own durable and namespace.
    public var rebuild: ConsumerID {
        ConsumerID(projection: live.projection + Self.rebuildSuffix, consumer: live.consumer + Self.rebuildSuffix, partition: live.partition)
    }

    /// Where the replaced generation is kept after a cutover with `keepPrevious`.
    public var previous: ConsumerID {
        ConsumerID(projection: live.projection + Self.previousSuffix, consumer: live.consumer + Self.previousSuffix, partition: live.partition)
    }
}
