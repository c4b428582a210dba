/// A failed read query. `description` is safe to show users: store details (which may name
/// tables or carry server text) stay in `detail`, which is for logs only and already redacted.
public struct QueryError: Error, Sendable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case deadlineExceeded, resourceExhausted, unavailable, `internal`
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The query ran past its deadline.
        public static let deadlineExceeded = Code(.deadlineExceeded)
        /// The result exceeded the row cap, or no connection was free.
        public static let resourceExhausted = Code(.resourceExhausted)
        /// The store could not be reached; retrying later may help.
        public static let unavailable = Code(.unavailable)
        /// Anything else: a bug in a query file or an unexpected store answer.
        public static let `internal` = Code(.internal)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What happened, safe to show.
    public var message: String
    /// The store's own error, for logs (redacted by the client wrappers).
    public var detail: String?

    public init(code: Code, message: String, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String { "\(code): \(message)" }
}
