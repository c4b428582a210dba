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
        guard settings.string("PROJECTION_PARTITIONS") != nil else { return nil }
        projection = settings.string("PROJECTION_NAME", default: "orders-analytics")
        count = try settings.int("PROJECTION_PARTITIONS", default: 1, range: 1...1024)
        durableTemplate = settings.string("PROJECTION_DURABLE", default: "projection-\(projection)-p{partition}")
        natsURL = settings.string("PROJECTION_NATS_URL", default: "nats://127.0.0.1:4222")
        bucket = settings.string("PROJECTION_LEASE_BUCKET", default: "projection_leases")
        ttl = try settings.milliseconds("PROJECTION_LEASE_TTL_MS", default: 15_000, range: 1_000...600_000)
    }

    func durable(of partition: Int) -> String {
        durableTemplate.replacingOccurrences(of: "{partition}", with: String(partition))
    }
}
