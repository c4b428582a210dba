/// One RPC's SQL, checked against its request message and ready to run on its store.
public struct PreparedQuery: Sendable, Hashable {
    /// Every query file must filter by this parameter; the server binds it from the tenant header.
    public static let tenantParameter = "tenant_id"

    /// RPC name, e.g. `GetDailySales`.
    public var method: String
    public var store: StoreKind
    /// File the SQL came from (for messages).
    public var path: String
    /// The statement as sent: ClickHouse keeps its `{name:Type}` placeholders (bound server-side);
    /// Postgres placeholders are replaced by `$1…$n`.
    public var sql: String
    /// Distinct placeholders in order of first appearance; in Postgres SQL, `$n` is `placeholders[n-1]`.
    public var placeholders: [QueryPlaceholder]

    public init(method: String, store: StoreKind, path: String, sql: String, placeholders: [QueryPlaceholder]) {
        self.method = method
        self.store = store
        self.path = path
        self.sql = sql
        self.placeholders = placeholders
    }
}
