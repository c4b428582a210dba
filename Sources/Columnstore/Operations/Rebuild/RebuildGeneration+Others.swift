extension RebuildGeneration {
    /// The (durable, partition) pairs found in a store that are not this generation's consumers, sorted
    /// and named for an operator: the durable, with its partition when that is not 0. Pairs, not names:
    /// two hand-configured partitions may use one durable name on two streams.
    public func others(among found: [(consumer: String, partition: Int)]) -> [String] {
        let own = Set(consumers.map { OwnKey(consumer: $0.consumer, partition: $0.partition) })
        let others = Set(found.map { OwnKey(consumer: $0.consumer, partition: $0.partition) }).subtracting(own)
        return others.sorted { ($0.consumer, $0.partition) < ($1.consumer, $1.partition) }
            .map { $0.partition == 0 ? $0.consumer : "\($0.consumer) (partition \($0.partition))" }
    }

    private struct OwnKey: Hashable {
        var consumer: String
        var partition: Int
    }
}
