/// The stream's acknowledgement of a published message.
public struct PubAck: Sendable, Equatable {
    /// The stream that stored the message.
    public var stream: String
    /// The message's sequence in the stream (for a duplicate: the original's sequence).
    public var sequence: UInt64
    /// True if the stream already had a message with the same `Nats-Msg-Id` and dropped this one.
    public var duplicate: Bool

    public init(stream: String, sequence: UInt64, duplicate: Bool) {
        self.stream = stream
        self.sequence = sequence
        self.duplicate = duplicate
    }
}
