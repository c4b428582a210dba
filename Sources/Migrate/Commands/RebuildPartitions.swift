import Columnstore

/// A partitioned live projection (`PROJECTION_PARTITIONS=P`, replica mode), read from the same settings
/// as its replicas: how many partitions, their durable template and the lease bucket they share.
struct RebuildPartitions: Sendable {
    let projection: String
    let count: Int
    /// The durable with `{partition}` (projection-ingest's default in replica mode unless set).
    let durableTemplate: String
    let natsURL: String
    let bucket: String
    let ttl: Duration

    /// Nil without `PROJECTION_PARTITIONS` (one hand-configured consumer).
    init?(_ settings: SettingsSource) throws {
        guard let count = try settings.int(MigrateSettings.partitions) else { return nil }
        self.count = count
        projection = settings.string(MigrateSettings.name) ?? "orders-analytics"
        durableTemplate = settings.string(MigrateSettings.durable) ?? "projection-\(projection)-p{partition}"
        natsURL = settings.string(MigrateSettings.natsURL) ?? "nats://127.0.0.1:4222"
        bucket = settings.string(MigrateSettings.leaseBucket) ?? "projection_leases"
        ttl = try settings.milliseconds(MigrateSettings.leaseTTL) ?? .seconds(15)
    }

    func durable(of partition: Int) -> String {
        durableTemplate.replacingOccurrences(of: "{partition}", with: String(partition))
    }
}
