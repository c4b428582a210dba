/// Reads a projected table's merged state from one store, for `StateHash`.
public protocol StateHashReader: Sendable {
    var store: StoreKind { get }
    /// The store, for messages: a redacted DSN (never the password).
    var location: String { get }

    /// The distinct tenants that have rows in the table.
    func tenants(of layout: StateHashLayout) async throws -> [String]

    /// One tenant's rows, fully merged (one row per key for aggregate and latest tables), each with the
    /// layout's hashed columns in order, sorted by the layout's order columns, handed to `page` in
    /// pages of at most `pageRows` rows (a reader that cannot page hands them all at once). All pages
    /// come from one snapshot of the table. The tenant is bound as a parameter, never spliced into SQL.
    func pages(of layout: StateHashLayout, tenant: String, pageRows: Int, _ page: ([[ColumnValue]]) throws -> Void) async throws

    /// Releases the connection; later calls fail.
    func close() async
}

extension StateHashReader {
    /// One tenant's rows, all of them in memory (tests and tools; `StateHash` reads pages).
    public func rows(of layout: StateHashLayout, tenant: String) async throws -> [[ColumnValue]] {
        var rows: [[ColumnValue]] = []
        try await pages(of: layout, tenant: tenant, pageRows: 10_000) { rows.append(contentsOf: $0) }
        return rows
    }
}
