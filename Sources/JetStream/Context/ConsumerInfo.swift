/// A consumer's progress through its stream.
public struct ConsumerInfo: Sendable, Equatable {
    /// The stream the consumer reads.
    public var stream: String
    /// The consumer's (durable) name.
    public var name: String
    /// Messages matching the filter not yet delivered.
    public var numPending: UInt64
    /// Messages delivered but not yet acknowledged.
    public var numAckPending: Int
    /// Messages delivered more than once and not yet acknowledged.
    public var numRedelivered: Int
    /// Pull requests currently waiting on the server.
    public var numWaiting: Int
    /// Stream sequence of the last delivered message.
    public var deliveredStreamSequence: UInt64
    /// Consumer sequence of the last delivery (counts redeliveries).
    public var deliveredConsumerSequence: UInt64
    /// Stream sequence up to which all messages are acknowledged.
    public var ackFloorStreamSequence: UInt64
    /// Consumer sequence up to which all deliveries are acknowledged.
    public var ackFloorConsumerSequence: UInt64
    /// The consumer's filter subject, if any.
    public var filterSubject: String?
    /// The configured ack wait.
    public var ackWait: Duration
    /// The configured maximum of unacknowledged messages.
    public var maxAckPending: Int
    /// The configured maximum deliveries per message (-1 unlimited).
    public var maxDeliver: Int
    /// The configured ack policy (nil for one this client does not create: none).
    public var ackPolicy: ConsumerConfig.AckPolicy?

    public init(
        stream: String, name: String, numPending: UInt64, numAckPending: Int, numRedelivered: Int, numWaiting: Int,
        deliveredStreamSequence: UInt64, deliveredConsumerSequence: UInt64,
        ackFloorStreamSequence: UInt64, ackFloorConsumerSequence: UInt64,
        filterSubject: String?, ackWait: Duration, maxAckPending: Int, maxDeliver: Int,
        ackPolicy: ConsumerConfig.AckPolicy? = .explicit
    ) {
        self.stream = stream
        self.name = name
        self.numPending = numPending
        self.numAckPending = numAckPending
        self.numRedelivered = numRedelivered
        self.numWaiting = numWaiting
        self.deliveredStreamSequence = deliveredStreamSequence
        self.deliveredConsumerSequence = deliveredConsumerSequence
        self.ackFloorStreamSequence = ackFloorStreamSequence
        self.ackFloorConsumerSequence = ackFloorConsumerSequence
        self.filterSubject = filterSubject
        self.ackWait = ackWait
        self.maxAckPending = maxAckPending
        self.maxDeliver = maxDeliver
        self.ackPolicy = ackPolicy
    }
}
