extension JetStreamContext {
    /// Settings of a JetStream context.
    public struct Options: Sendable {
        /// How long JetStream API requests and synchronous publishes wait for the server.
        public var requestTimeout: Duration
        /// Asynchronous publishes in flight before `publishAsync` blocks, waiting for acks.
        public var maxPendingAsyncPublishes: Int
        /// How long one stalled `publishAsync` waits for room before failing with a timeout.
        public var asyncPublishStallWait: Duration
        /// Routes every asynchronous publish's ack to its caller (`publishTracked`); off, only failures are counted.
        public var tracksAsyncAcks: Bool

        public init(
            requestTimeout: Duration = .seconds(5),
            maxPendingAsyncPublishes: Int = 4000,
            asyncPublishStallWait: Duration = .seconds(5),
            tracksAsyncAcks: Bool = false
        ) {
            self.requestTimeout = requestTimeout
            self.maxPendingAsyncPublishes = maxPendingAsyncPublishes
            self.asyncPublishStallWait = asyncPublishStallWait
            self.tracksAsyncAcks = tracksAsyncAcks
        }
    }
}
