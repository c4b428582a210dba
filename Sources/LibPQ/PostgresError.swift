/// An error from the Postgres client: connecting, a server-reported failure, or misuse.
///
/// `description` is safe to show users and to log: passwords from the DSN are masked.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed
            case authenticationFailed
            case connectionLost
            case server
            case `protocol`
            case closed
            case invalidValue
            case timedOut
            case resultTooLarge
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection could not be established (server down, refused, DNS, timeout).
        public static let connectionFailed = Code(.connectionFailed)
        /// The server rejected the credentials; retrying with the same DSN will not help.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// An established connection broke (server restart, network); `reset()` or reconnect.
        public static let connectionLost = Code(.connectionLost)
        /// The server reported an error for a statement; see `sqlState`.
        public static let server = Code(.server)
        /// libpq or the server answered something this client did not expect.
        public static let `protocol` = Code(.protocol)
        /// The connection was closed by `close()`.
        public static let closed = Code(.closed)
        /// A value cannot be sent to Postgres (for example text containing a NUL character).
        public static let invalidValue = Code(.invalidValue)
        /// The client-side deadline passed (e.g. the network stopped answering); the statement was
        /// cancelled and the connection is no longer usable.
        public static let timedOut = Code(.timedOut)
        /// The result passed the row or byte bound the caller set; it was cancelled and discarded, and
        /// the connection is usable again.
        public static let resultTooLarge = Code(.resultTooLarge)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The five-character SQLSTATE (PG_DIAG_SQLSTATE), when the server sent one.
    public var sqlState: String?
    /// The primary, human-readable message.
    public var message: String
    /// Optional secondary detail from the server.
    public var detail: String?
    /// Optional hint from the server.
    public var hint: String?
    /// The schema, table, column and constraint the error relates to, where the server names them.
    public var schema: String?
    public var table: String?
    public var column: String?
    public var constraint: String?

    public init(
        code: Code, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil,
        schema: String? = nil, table: String? = nil, column: String? = nil, constraint: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.schema = schema
        self.table = table
        self.column = column
        self.constraint = constraint
    }

    public var description: String {
        var parts = ["code: \(code)"]
        if let sqlState { parts.append("sqlState: \(sqlState)") }
        parts.append("message: \(message)")
        if let detail { parts.append("detail: \(detail)") }
        if let hint { parts.append("hint: \(hint)") }
        if let table { parts.append("table: \(schema.map { "\($0)." } ?? "")\(table)") }
        if let column { parts.append("column: \(column)") }
        if let constraint { parts.append("constraint: \(constraint)") }
        // Redact once more here so no code path can leak a DSN password through the description.
        return PostgresDSN.redacted("PostgresError(\(parts.joined(separator: ", ")))")
    }

    /// Whether retrying the operation (after reconnecting, for connection errors) may succeed.
    ///
    /// Transient: connection failures and losses, SQLSTATE class 08 (connection exception),
    /// 40001 (serialization failure), 40P01 (deadlock), 57P01–57P03 (shutdown / cannot connect
    /// now) and class 53 (insufficient resources). Everything else is permanent.
    public var isTransient: Bool {
        if code == .connectionFailed || code == .connectionLost { return true }
        guard let sqlState else { return false }
        if sqlState.hasPrefix("08") || sqlState.hasPrefix("53") { return true }
        return ["40001", "40P01", "57P01", "57P02", "57P03"].contains(sqlState)
    }

    static let closedConnection = PostgresError(code: .closed, message: "the connection is closed")
}
