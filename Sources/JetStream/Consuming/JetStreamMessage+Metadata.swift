extension JetStreamMessage {
    /// Delivery information JetStream attaches to each message.
    public struct Metadata: Sendable, Equatable {
        /// The message's sequence in the stream.
        public var streamSequence: UInt64
        /// The delivery's sequence in the consumer (grows with redeliveries).
        public var consumerSequence: UInt64
        /// How many times this message has been delivered, this delivery included.
        public var numDelivered: UInt64
        /// Messages left for the consumer after this one.
        public var numPending: UInt64
        /// When the message was stored, in nanoseconds since 1970-01-01 UTC.
        public var timestampNanoseconds: Int64

        public init(
            streamSequence: UInt64, consumerSequence: UInt64, numDelivered: UInt64, numPending: UInt64,
            timestampNanoseconds: Int64
        ) {
            self.streamSequence = streamSequence
            self.consumerSequence = consumerSequence
            self.numDelivered = numDelivered
            self.numPending = numPending
            self.timestampNanoseconds = timestampNanoseconds
        }
    }
}
