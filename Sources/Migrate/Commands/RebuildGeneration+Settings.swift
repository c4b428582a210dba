import Columnstore

extension RebuildGeneration {
    /// The live consumer as projection-ingest would name it from the same settings
    /// (`PROJECTION_NAME`, `PROJECTION_DURABLE`, `PROJECTION_PARTITION`); with `PROJECTION_PARTITIONS=P`
    /// (replica mode) every partition's consumer, the durable template's `{partition}` filled in.
    static func live(from settings: SettingsSource) throws -> RebuildGeneration {
        let projection = settings.string(MigrateSettings.name) ?? "orders-analytics"
        let generation: RebuildGeneration
        if let layout = try RebuildPartitions(settings) {
            let consumers = (0..<layout.count).map { ConsumerID(projection: projection, consumer: layout.durable(of: $0), partition: $0) }
            generation = RebuildGeneration(live: consumers[0], consumers: consumers)
        } else {
            let partition = try settings.int(MigrateSettings.partition) ?? 0
            let durable = settings.string(MigrateSettings.durable) ?? ConsumerID.defaultDurable(projection: projection, partition: partition)
            generation = RebuildGeneration(live: ConsumerID(projection: projection, consumer: durable, partition: partition))
        }
        // As ingest checks them: the rebuild's SQL quotes durable names plainly.
        guard generation.consumers.allSatisfy({ ConsumerID.isDurableName($0.consumer) }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_DURABLE", reason: "may hold only letters, digits, - and _")
        }
        return generation
    }
}
