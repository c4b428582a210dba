/// The state hash of one tenant's rows in one table.
public struct TenantStateHash: Sendable, Hashable {
    public var tenant: String
    /// Rows hashed (after leaving out all-zero rows of sum tables, see `StateHashLayout.omitsZeroRows`).
    public var rowCount: Int
    /// SHA-256 of the header line and the rows' canonical lines in key order, 64 lower-case hex digits.
    public var digest: String

    public init(tenant: String, rowCount: Int, digest: String) {
        self.tenant = tenant
        self.rowCount = rowCount
        self.digest = digest
    }
}
