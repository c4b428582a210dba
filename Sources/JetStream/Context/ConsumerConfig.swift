/// Configuration of a durable pull consumer.
///
/// libnats 3.4.1 supports a single filter subject per consumer (no `FilterSubjects`).
public struct ConsumerConfig: Sendable, Equatable {
    /// Where a new consumer starts reading the stream.
    public enum DeliverPolicy: Sendable, Equatable {
        /// From the first message still in the stream.
        case all
        /// From this stream sequence on.
        case startSequence(UInt64)
        /// Only messages published after the consumer was created.
        case new
    }

    /// How the server counts acknowledgements. It is fixed when the consumer is created.
    public enum AckPolicy: Sendable, Equatable {
        /// Every message is acknowledged on its own.
        case explicit
        /// Acknowledging a message also acknowledges every earlier one: one ack settles a whole batch.
        case all
    }

    /// The durable name; letters, digits, `-` and `_` (no `.`, `*`, `>`).
    public var durableName: String
    /// Only messages on this subject (wildcards allowed) are delivered; nil for the whole stream.
    public var filterSubject: String?
    /// How long the server waits for an ack before redelivering.
    public var ackWait: Duration
    /// Delivered but unacknowledged messages allowed before the server pauses delivery; nil for the server default (1000).
    public var maxAckPending: Int?
    /// Deliveries per message before the server gives up on it; -1 for unlimited.
    public var maxDeliver: Int
    /// Where the consumer starts when it is first created (an existing consumer keeps its position).
    public var deliverPolicy: DeliverPolicy
    /// Shown in monitoring tools.
    public var description: String?
    /// Explicit unless set; an existing consumer with another policy is an error.
    public var ackPolicy: AckPolicy
    /// Copies of the consumer's state in a cluster; nil inherits the stream's. Only applied when the
    /// consumer is created.
    public var replicas: Int?

    public init(
        durableName: String,
        filterSubject: String? = nil,
        ackWait: Duration = .seconds(30),
        maxAckPending: Int? = nil,
        maxDeliver: Int = -1,
        deliverPolicy: DeliverPolicy = .all,
        description: String? = nil,
        ackPolicy: AckPolicy = .explicit,
        replicas: Int? = nil
    ) {
        self.durableName = durableName
        self.filterSubject = filterSubject
        self.ackWait = ackWait
        self.maxAckPending = maxAckPending
        self.maxDeliver = maxDeliver
        self.deliverPolicy = deliverPolicy
        self.description = description
        self.ackPolicy = ackPolicy
        self.replicas = replicas
    }
}
