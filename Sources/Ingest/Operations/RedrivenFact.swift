/// A quarantined fact published again: its partition, its old stream sequence and the new one.
public struct RedrivenFact: Sendable, Codable, Equatable {
    public var partition: Int
    public var sequence: UInt64
    public var newSequence: UInt64
    /// The durable that recorded the entry (empty for one from before internal tables version 6).
    public var consumer: String

    enum CodingKeys: String, CodingKey {
        case partition
        case sequence
        case consumer
        case newSequence = "new_sequence"
    }
}
