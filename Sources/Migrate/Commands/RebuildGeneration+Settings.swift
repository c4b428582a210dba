import Columnstore

extension RebuildGeneration {
    /// The live consumer as projection-ingest would name it from the same settings
    /// (`PROJECTION_NAME`, `PROJECTION_DURABLE`, `PROJECTION_PARTITION`); with `PROJECTION_PARTITIONS=P`
    /// (replica mode) every partition's consumer, the durable template's `{partition}` filled in.
    static func live(from settings: SettingsSource) throws -> RebuildGeneration {
        let projection = settings.string(MigrateSettings.name) ?? "orders-analytics"
        if let layout = try RebuildPartitions(settings) {
            let consumers = (0..<layout.count).map { ConsumerID(projection: projection, consumer: layout.durable(of: $0), partition: $0) }
            return RebuildGeneration(live: consumers[0], consumers: consumers)
        }
        let partition = try settings.int(MigrateSettings.partition) ?? 0
        let durable = settings.string(MigrateSettings.durable) ?? ConsumerID.defaultDurable(projection: projection, partition: partition)
        return RebuildGeneration(live: ConsumerID(projection: projection, consumer: durable, partition: partition))
    }
}
