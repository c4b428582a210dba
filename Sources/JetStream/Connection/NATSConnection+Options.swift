extension NATSConnection {
    /// How a connection behaves on connect, disconnect and reconnect.
    public struct Options: Sendable {
        /// Reconnect attempts per server after losing the connection; -1 retries forever.
        public var maxReconnect: Int
        /// Pause between two reconnect attempts to the same server.
        public var reconnectWait: Duration
        /// How often the client PINGs the server to detect a dead connection. With `maxPingsOut` it
        /// bounds how long an idle connection stays on a frozen (SIGSTOPped, paused, partitioned)
        /// server, whose kernel still acknowledges TCP: about (maxPingsOut + 1) × pingInterval.
        public var pingInterval: Duration
        /// Unanswered PINGs after which the connection is considered stale.
        public var maxPingsOut: Int
        /// How long one socket write may wait for room before the connection is treated as broken
        /// and libnats reconnects; nil blocks for ever. Without it a writer to a frozen server blocks
        /// inside libnats holding the connection's lock, so not even the PING timer can notice.
        public var writeDeadline: Duration?
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
            pingInterval: Duration = .seconds(5),
            maxPingsOut: Int = 2,
            writeDeadline: Duration? = .seconds(5),
            connectTimeout: Duration = .seconds(2),
            reconnectBufferSize: Int = 8 * 1024 * 1024,
            sendAsap: Bool = false
        ) {
            self.maxReconnect = maxReconnect
            self.reconnectWait = reconnectWait
            self.pingInterval = pingInterval
            self.maxPingsOut = maxPingsOut
            self.writeDeadline = writeDeadline
            self.connectTimeout = connectTimeout
            self.reconnectBufferSize = reconnectBufferSize
            self.sendAsap = sendAsap
        }
    }
}
