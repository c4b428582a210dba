/// A deterministic hash of a projection's state per table and tenant, for replay validation
/// (issue #7): a rebuild from scratch must hash like uninterrupted consumption, and Postgres like
/// ClickHouse, for the same facts.
///
/// For each table (`StateHashLayout`: aggregate, latest and append tables; bookkeeping columns left
/// out) and each tenant, the reader returns the fully merged rows; `StateHasher` sorts them by key,
/// renders them in `StateHashCanonicalForm` and hashes them with SHA-256. Each table also gets a
/// combined digest over its tenants.
public struct StateHash: Sendable {
    public let schema: ProjectionSchema
    public let reader: any StateHashReader
    /// Rows read per page: what a tenant's hash holds in memory (`StateHashStream`).
    public let pageRows: Int
    /// Told (table, tenant) when a tenant had to be hashed in memory because the store's order
    /// differed from the hash's: the digest is right, but the memory bound did not hold.
    public let onFallback: @Sendable (_ table: String, _ tenant: String) -> Void

    public init(schema: ProjectionSchema, reader: any StateHashReader, pageRows: Int = 5_000,
                onFallback: @escaping @Sendable (_ table: String, _ tenant: String) -> Void = { _, _ in }) {
        self.schema = schema
        self.reader = reader
        self.pageRows = max(1, pageRows)
        self.onFallback = onFallback
    }

    /// The hashes of every table (or the one named `table`), over every tenant with rows (or only
    /// `tenant`, which is then listed even without rows). Tables come in the schema's order.
    /// - Throws: `StateHashError`.
    public func compute(table: String? = nil, tenant: String? = nil) async throws -> [TableStateHash] {
        var result: [TableStateHash] = []
        for layout in try StateHashLayout.layouts(of: schema, table: table) {
            let tenants: [String]
            if let tenant {
                tenants = [tenant]
            } else {
                tenants = try await reader.tenants(of: layout)
            }
            var hashes: [TenantStateHash] = []
            for name in tenants {
                let hash = try await tenantHash(layout, tenant: name)
                // A tenant whose rows were all left out (all-zero sums) has no state.
                if hash.rowCount > 0 || tenant != nil { hashes.append(hash) }
            }
            result.append(StateHasher.combine(hashes, layout: layout))
        }
        return result
    }

    /// One tenant's hash from the reader's pages, streamed. If the store's order turns out to differ
    /// from the hash's key order, the tenant is read again and sorted in memory (the digest is the
    /// same either way; only the memory differs).
    func tenantHash(_ layout: StateHashLayout, tenant: String) async throws -> TenantStateHash {
        var stream = StateHashStream(layout: layout, tenant: tenant)
        do {
            try await reader.pages(of: layout, tenant: tenant, pageRows: pageRows) { try stream.add($0) }
            return stream.finish()
        } catch let error as StateHashError where error.code == .outOfOrder {
            onFallback(layout.table.name, tenant)
            let rows = try await reader.rows(of: layout, tenant: tenant)
            return try StateHasher.hash(rows, tenant: tenant, layout: layout)
        }
    }
}
