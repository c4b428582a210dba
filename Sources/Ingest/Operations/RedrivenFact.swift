/// A quarantined fact published again: its partition, its old stream sequence and the new one.
public struct RedrivenFact: Sendable, Codable, Equatable {
    public var partition: Int
    public var sequence: UInt64
    public var newSequence: UInt64

    enum CodingKeys: String, CodingKey {
        case partition
        case sequence
        case newSequence = "new_sequence"
    }
}
