/// An error from talking to ClickHouse over HTTP.
///
/// `description` is safe to show to users and to log: it never contains the password, the
/// `X-ClickHouse-Key` header or the DSN's credentials.
public struct ClickHouseError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare against the static members (`.server`, `.timeout`…).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case invalidDSN
            case connection
            case timeout
            case authentication
            case server
            case protocolViolation
            case cancelled
            case requestBody
            case responseTooLarge
        }

        fileprivate let base: Base

        private init(_ base: Base) { self.base = base }

        /// The DSN could not be parsed.
        public static let invalidDSN = Code(.invalidDSN)
        /// The server could not be reached, or the connection broke.
        public static let connection = Code(.connection)
        /// The connect or request timeout elapsed.
        public static let timeout = Code(.timeout)
        /// The server rejected the user or password.
        public static let authentication = Code(.authentication)
        /// The server answered with an exception (see `serverCode` and `message`).
        public static let server = Code(.server)
        /// The server's answer was not valid ClickHouse HTTP.
        public static let protocolViolation = Code(.protocolViolation)
        /// The calling task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The request body could not be produced (compression failed).
        public static let requestBody = Code(.requestBody)
        /// The answer was longer than `Configuration.maxResponseBytes`; reading stopped there.
        public static let responseTooLarge = Code(.responseTooLarge)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The ClickHouse exception code (e.g. 60 for UNKNOWN_TABLE), when the server sent one.
    public var serverCode: Int?
    /// A human-readable explanation (the server's exception text for server errors).
    public var message: String
    /// The query id the request ran under, when known.
    public var queryID: String?
    /// The HTTP status of the response, when one arrived.
    public var httpStatus: Int?

    public init(
        code: Code,
        message: String,
        serverCode: Int? = nil,
        queryID: String? = nil,
        httpStatus: Int? = nil
    ) {
        self.code = code
        self.message = message
        self.serverCode = serverCode
        self.queryID = queryID
        self.httpStatus = httpStatus
    }

    public var description: String {
        var text = "ClickHouse \(code) error"
        if let serverCode { text += " (code \(serverCode))" }
        if let httpStatus { text += " [HTTP \(httpStatus)]" }
        text += ": \(message)"
        if let queryID { text += " (query id \(queryID))" }
        return text
    }
}
