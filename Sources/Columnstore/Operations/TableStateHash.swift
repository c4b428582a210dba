/// The state hash of one table: one entry per tenant that has rows, plus a combined digest.
public struct TableStateHash: Sendable, Hashable {
    public var layout: StateHashLayout
    /// Tenants in byte order of their UTF-8 text; tenants without rows are not listed (unless the
    /// hash was scoped to that one tenant).
    public var tenants: [TenantStateHash]
    /// SHA-256 of the header line and one line per tenant: `<escaped tenant>\t<rows>\t<digest>\n`.
    public var digest: String

    public init(layout: StateHashLayout, tenants: [TenantStateHash], digest: String) {
        self.layout = layout
        self.tenants = tenants
        self.digest = digest
    }

    public var table: String { layout.table.name }

    /// Rows over all tenants listed.
    public var rowCount: Int { tenants.reduce(0) { $0 + $1.rowCount } }
}
