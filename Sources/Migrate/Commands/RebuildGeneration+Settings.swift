import Columnstore

extension RebuildGeneration {
    /// The live consumer as projection-ingest would name it from the same settings
    /// (`PROJECTION_NAME`, `PROJECTION_DURABLE`, `PROJECTION_PARTITION`).
    static func live(from settings: SettingsSource) throws -> RebuildGeneration {
        let projection = settings.string("PROJECTION_NAME", default: "orders-analytics")
        let partition = try settings.int("PROJECTION_PARTITION", default: 0, range: 0...1023)
        let durable = settings.string("PROJECTION_DURABLE", default: ConsumerID.defaultDurable(projection: projection, partition: partition))
        return RebuildGeneration(live: ConsumerID(projection: projection, consumer: durable, partition: partition))
    }
}
