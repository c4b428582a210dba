/// Why a migration run failed. `description` is safe to show: it never holds a DSN's password.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case files, modified, lockTimeout, lockLost, store, statement
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The migration folder or a file in it cannot be read.
        public static let files = Code(.files)
        /// An applied migration's checksum changed; applied migrations must never be edited.
        public static let modified = Code(.modified)
        /// Another run held the lock for longer than the lock timeout.
        public static let lockTimeout = Code(.lockTimeout)
        /// The ClickHouse lease ran out while applying (this run stalled); stopped to stay safe.
        public static let lockLost = Code(.lockLost)
        /// Talking to the store (ledger, lock) failed.
        public static let store = Code(.store)
        /// A migration statement failed.
        public static let statement = Code(.statement)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The migration file concerned, if one is.
    public var file: String?
    /// The 1-based statement number within `file`, for `.statement`.
    public var statement: Int?
    /// What went wrong, safe to show.
    public var reason: String

    public init(_ code: Code, file: String? = nil, statement: Int? = nil, _ reason: String) {
        self.code = code
        self.file = file
        self.statement = statement
        self.reason = reason
    }

    public var description: String {
        var text = "migrate"
        if let file { text += ": \(file)" }
        if let statement { text += " statement \(statement)" }
        return text + ": " + reason
    }
}
