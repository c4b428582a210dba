/// An error from the NATS client or the JetStream API.
///
/// `description` is safe to show users: URLs in it have their credentials redacted.
public struct NATSError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case connection
            case connectionClosed
            case timeout
            case notFound
            case jetStream
            case protocolViolation
            case invalidArgument
            case publishFailed
            case subscriptionClosed
            case other
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Could not connect to (or lost) the server, including authentication failures.
        public static let connection = Code(.connection)
        /// The connection was closed by `close()` or gave up reconnecting.
        public static let connectionClosed = Code(.connectionClosed)
        /// A request or flush did not complete in time.
        public static let timeout = Code(.timeout)
        /// The stream, consumer or message does not exist.
        public static let notFound = Code(.notFound)
        /// The JetStream API rejected the request; see `jetStreamErrorCode`.
        public static let jetStream = Code(.jetStream)
        /// The server sent something the client could not understand.
        public static let protocolViolation = Code(.protocolViolation)
        /// The caller passed an invalid value.
        public static let invalidArgument = Code(.invalidArgument)
        /// One or more asynchronous publishes were not acknowledged by the stream.
        public static let publishFailed = Code(.publishFailed)
        /// The pull subscription was destroyed.
        public static let subscriptionClosed = Code(.subscriptionClosed)
        /// Anything else libnats reported.
        public static let other = Code(.other)

        public var description: String {
            switch base {
            case .connection: "connection"
            case .connectionClosed: "connectionClosed"
            case .timeout: "timeout"
            case .notFound: "notFound"
            case .jetStream: "jetStream"
            case .protocolViolation: "protocolViolation"
            case .invalidArgument: "invalidArgument"
            case .publishFailed: "publishFailed"
            case .subscriptionClosed: "subscriptionClosed"
            case .other: "other"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// The libnats call or client operation that failed, e.g. `js_AddStream`.
    public var operation: String
    /// libnats' text for its `natsStatus`, e.g. "Timeout"; nil when the error did not come from libnats.
    public var status: String?
    /// The JetStream API error code (e.g. 10059 stream not found), when the server gave one.
    public var jetStreamErrorCode: Int?
    /// Further detail (libnats' last error text or the server's message), credentials redacted.
    public var detail: String?

    public init(
        code: Code, operation: String, status: String? = nil, jetStreamErrorCode: Int? = nil, detail: String? = nil
    ) {
        self.code = code
        self.operation = operation
        self.status = status
        self.jetStreamErrorCode = jetStreamErrorCode
        self.detail = detail.map(NATSConnection.redactCredentials(in:))
    }

    /// Whether retrying the same operation later may succeed (network trouble, timeouts,
    /// a JetStream cluster temporarily without leader). Configuration errors are not transient.
    public var isTransient: Bool {
        switch code {
        case .connection, .connectionClosed, .timeout:
            return true
        case .jetStream:
            // Cluster not available / no leader / insufficient resources may clear up.
            return [10008, 10009, 10023].contains(jetStreamErrorCode ?? 0)
        default:
            return false
        }
    }

    public var description: String {
        var text = "NATS \(code) error in \(operation)"
        if let status { text += ": \(status)" }
        if let jetStreamErrorCode { text += " (JetStream error \(jetStreamErrorCode))" }
        if let detail, !detail.isEmpty, detail != status { text += " - \(detail)" }
        return text
    }
}
