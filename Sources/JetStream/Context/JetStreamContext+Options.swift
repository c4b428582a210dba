extension JetStreamContext {
    /// Settings of a JetStream context.
    public struct Options: Sendable {
        /// How long JetStream API requests and synchronous publishes wait for the server.
        public var requestTimeout: Duration
        /// Asynchronous publishes in flight before `publishAsync` blocks, waiting for acks.
        public var maxPendingAsyncPublishes: Int
        /// How long one stalled `publishAsync` waits for room before failing with a timeout.
        public var asyncPublishStallWait: Duration

        public init(
            requestTimeout: Duration = .seconds(5),
            maxPendingAsyncPublishes: Int = 4000,
            asyncPublishStallWait: Duration = .seconds(5)
        ) {
            self.requestTimeout = requestTimeout
            self.maxPendingAsyncPublishes = maxPendingAsyncPublishes
            self.asyncPublishStallWait = asyncPublishStallWait
        }
    }
}
