/// One fact `POST /admin/quarantine/skip` skipped, in its answer `{"skipped":[{"partition":0,"sequence":12}]}`.
struct SkippedKey: Codable, Sendable, Equatable {
    var partition: Int
    var sequence: UInt64
    /// The durable that recorded the entry (empty for one from before internal tables version 6).
    var consumer: String
}
