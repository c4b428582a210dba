/// What `projection-migrate` reads of `GET /admin/ingestion`: the checkpoint and the stream's end, of the
/// one consumer, or of each partition of a replica. A view of the ingest's snapshots (a test decodes it
/// from what the ingest encodes), so the two cannot drift apart silently.
public struct IngestionProgress: Codable, Sendable, Equatable {
    public struct Partition: Codable, Sendable, Equatable {
        public var partition: Int
        public var status: IngestionProgress
    }

    public var checkpoint: UInt64?
    public var streamLastSequence: UInt64?
    /// Replica mode: one entry per partition this replica runs.
    public var partitions: [Partition]?

    enum CodingKeys: String, CodingKey {
        case checkpoint, partitions
        case streamLastSequence = "stream_last_sequence"
    }
}
