/// Reads a projected table's merged state from one store, for `StateHash`.
public protocol StateHashReader: Sendable {
    var store: StoreKind { get }
    /// The store, for messages: a redacted DSN (never the password).
    var location: String { get }

    /// The distinct tenants that have rows in the table.
    func tenants(of layout: StateHashLayout) async throws -> [String]

    /// One tenant's rows, fully merged (one row per key for aggregate and latest tables), each with the
    /// layout's hashed columns in order. The tenant is bound as a parameter, never spliced into SQL.
    func rows(of layout: StateHashLayout, tenant: String) async throws -> [[ColumnValue]]

    /// Releases the connection; later calls fail.
    func close() async
}
