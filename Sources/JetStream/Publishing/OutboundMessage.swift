/// A message to publish to JetStream.
public struct OutboundMessage: Sendable, Equatable {
    /// The subject; a stream must capture it.
    public var subject: String
    /// The payload.
    public var data: [UInt8]
    /// Headers, set with `natsMsgHeader_Set` (one value per name).
    public var headers: [String: String]
    /// Sent as `Nats-Msg-Id`: the stream stores a message id only once within its duplicate window.
    public var messageID: String?
    /// Sent as `Nats-Expected-Stream`: when another stream captures the subject, the server refuses the
    /// message (JetStream error 10060) instead of storing it there.
    public var expectedStream: String?

    public init(subject: String, data: [UInt8], headers: [String: String] = [:], messageID: String? = nil, expectedStream: String? = nil) {
        self.subject = subject
        self.data = data
        self.headers = headers
        self.messageID = messageID
        self.expectedStream = expectedStream
    }
}
