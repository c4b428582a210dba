extension NATSConnection {
    /// How a connection behaves on connect, disconnect and reconnect.
    public struct Options: Sendable {
        /// Reconnect attempts per server after losing the connection; -1 retries forever.
        public var maxReconnect: Int
        /// Pause between two reconnect attempts to the same server.
        public var reconnectWait: Duration
        /// How often the client PINGs the server to detect a dead connection.
        public var pingInterval: Duration
        /// Unanswered PINGs after which the connection is considered stale.
        public var maxPingsOut: Int
        /// Timeout for establishing the TCP connection to one server.
        public var connectTimeout: Duration
        /// Bytes buffered while reconnecting (publishes, acks) before calls start failing.
        public var reconnectBufferSize: Int
        /// Writes every publish to the socket at once instead of leaving it to libnats' flusher
        /// thread, which waits about 1 ms to gather more. For request/answer paths where each
        /// message's latency matters (the HTTP ingress); costs one write per message.
        public var sendAsap: Bool

        public init(
            maxReconnect: Int = -1,
            reconnectWait: Duration = .seconds(2),
            pingInterval: Duration = .seconds(20),
            maxPingsOut: Int = 3,
            connectTimeout: Duration = .seconds(2),
            reconnectBufferSize: Int = 8 * 1024 * 1024,
            sendAsap: Bool = false
        ) {
            self.maxReconnect = maxReconnect
            self.reconnectWait = reconnectWait
            self.pingInterval = pingInterval
            self.maxPingsOut = maxPingsOut
            self.connectTimeout = connectTimeout
            self.reconnectBufferSize = reconnectBufferSize
            self.sendAsap = sendAsap
        }
    }
}
