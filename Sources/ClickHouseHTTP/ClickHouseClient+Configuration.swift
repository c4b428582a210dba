extension ClickHouseClient {
    /// Tuning for a `ClickHouseClient`. Every field has a documented default.
    public struct Configuration: Sendable {
        /// Time allowed to establish the TCP (and TLS) connection. Default 5 s.
        public var connectTimeout: Duration
        /// Time allowed for a whole request, body upload and response included. Default 30 s.
        public var requestTimeout: Duration
        /// Number of keep-alive connections; callers beyond it wait for a free one. Default 4.
        public var poolSize: Int
        /// Gzip insert bodies of at least `compressionThreshold` bytes. Default true.
        public var compressRequestBody: Bool
        /// Insert bodies smaller than this are sent as they are; gzip would cost more than it
        /// saves. Streamed bodies are measured on their first chunks. Default 16 KiB.
        public var compressionThreshold: Int
        /// zlib level for request bodies, 1 (fast) to 9 (small). Default 3: inserts are CPU-bound.
        public var compressionLevel: Int
        /// Ask for compressed responses (`enable_http_compression=1` and `Accept-Encoding`);
        /// curl decodes them transparently. Default true.
        public var acceptCompressedResponse: Bool
        /// Stop reading responses larger than this (bytes); guards memory. Default 1 GiB.
        public var maxResponseBytes: Int
        /// Settings sent with every request, before the DSN's and each call's own (which win). Default none.
        public var settings: [String: String]

        public init(
            connectTimeout: Duration = .seconds(5),
            requestTimeout: Duration = .seconds(30),
            poolSize: Int = 4,
            compressRequestBody: Bool = true,
            compressionThreshold: Int = 16 * 1024,
            compressionLevel: Int = 3,
            acceptCompressedResponse: Bool = true,
            maxResponseBytes: Int = 1 << 30,
            settings: [String: String] = [:]
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.poolSize = max(1, poolSize)
            self.compressRequestBody = compressRequestBody
            self.compressionThreshold = max(0, compressionThreshold)
            self.compressionLevel = min(9, max(1, compressionLevel))
            self.acceptCompressedResponse = acceptCompressedResponse
            self.maxResponseBytes = maxResponseBytes
            self.settings = settings
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a tiny timeout never becomes "no timeout" (0).
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(max(1, millis))
    }
}
