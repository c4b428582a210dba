/// A stream's configuration summary and current state.
public struct StreamInfo: Sendable, Equatable {
    /// The stream name.
    public var name: String
    /// The subjects the stream captures.
    public var subjects: [String]
    /// Messages currently stored.
    public var messages: UInt64
    /// Bytes currently stored.
    public var bytes: UInt64
    /// Sequence of the oldest stored message (the next sequence to be used when the stream is empty).
    public var firstSequence: UInt64
    /// Sequence of the newest message ever stored (0 if none).
    public var lastSequence: UInt64
    /// Number of consumers on the stream.
    public var consumerCount: Int
    /// Copies the stream is configured with (1 on a single server).
    public var replicas: Int = 1
    /// How long the stream keeps a message, in nanoseconds (0: for ever). A key-value bucket's TTL.
    public var maxAgeNanoseconds: Int64 = 0
    /// The server name of the stream's Raft leader in a JetStream cluster; nil on a single server
    /// or while no leader is elected.
    public var clusterLeader: String?

    public init(
        name: String, subjects: [String], messages: UInt64, bytes: UInt64,
        firstSequence: UInt64, lastSequence: UInt64, consumerCount: Int
    ) {
        self.name = name
        self.subjects = subjects
        self.messages = messages
        self.bytes = bytes
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.consumerCount = consumerCount
    }
}
