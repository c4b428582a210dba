/// Why a state hash could not be computed. `description` is safe to show: store errors are the
/// client wrappers' own (already redacted) descriptions, and stores are named by redacted DSNs.
public struct StateHashError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unknownTable = "unknown_table"
            case noTenantColumn = "no_tenant_column"
            case store
            case unexpectedValue = "unexpected_value"
            case outOfOrder = "out_of_order"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `--table` names no table of the projection.
        public static let unknownTable = Code(.unknownTable)
        /// The table has no column fed by the tenant envelope attribute (nor one named `tenant_id`).
        public static let noTenantColumn = Code(.noTenantColumn)
        /// Reading the store failed.
        public static let store = Code(.store)
        /// The store returned a value that does not fit the column's type.
        public static let unexpectedValue = Code(.unexpectedValue)
        /// The store returned rows in an order other than the hash's key order (`StateHashStream`);
        /// `StateHash.compute` then hashes the tenant in memory.
        public static let outOfOrder = Code(.outOfOrder)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The table concerned, if one is.
    public var table: String?
    /// What went wrong, safe to show.
    public var reason: String

    public init(_ code: Code, table: String? = nil, _ reason: String) {
        self.code = code
        self.table = table
        self.reason = reason
    }

    public var description: String {
        var text = "hash"
        if let table { text += ": \(table)" }
        return text + ": " + reason
    }
}
