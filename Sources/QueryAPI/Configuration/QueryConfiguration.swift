import Columnstore

/// Settings of `projection-query serve`, read once at startup (see `init(settings:)` for the
/// environment names and defaults).
struct QueryConfiguration: Sendable {
    /// Projection to serve (`PROJECTION_NAME`); nil picks the only one in the descriptor set.
    var projection: String?
    /// `PROJECTION_STORE_KIND`: `clickhouse` | `postgres_table`. Default clickhouse.
    var storeKind: StoreKind
    /// `PROJECTION_STORE_DSN` (required). Never logged unredacted.
    var storeDSN: String
    /// `PORT_HTTP`, default 8080.
    var httpPort: Int
    /// `PROJECTION_HTTP_HOST`, default 0.0.0.0.
    var httpHost: String
    /// `PROJECTION_TENANT_HEADER`, default `x-tenant-id` (lower-cased).
    var tenantHeader: String
    /// `PROJECTION_MULTI_TENANT`, default true: the tenant header is required.
    var multiTenant: Bool
    /// `PROJECTION_DEFAULT_TENANT`, default empty: the tenant when multi-tenancy is off
    /// (ingest stores facts without a tenant under the empty tenant).
    var defaultTenant: String
    /// Bearer tokens from `PROJECTION_TOKENS` and `PROJECTION_TOKENS_FILE`; empty means no auth.
    var tokens: TokenTable
    /// `PROJECTION_QUERY_TIMEOUT_MS` (default 10000), `PROJECTION_MAX_ROWS` (default 10000), `PROJECTION_QUERY_MAX_RESULT_BYTES` (16 MiB),
    /// `PROJECTION_MAX_CONCURRENCY` (default 16; also the store connections kept).
    var limits: QueryLimits
    /// `PROJECTION_MAX_BODY_BYTES`, default 65536.
    var maxBodyBytes: Int
    /// `PROJECTION_MAX_CONCURRENCY`, default 16: requests beyond it get `resource_exhausted`.
    var maxConcurrency: Int
    /// `PROJECTION_MAX_CONCURRENCY_PER_TENANT`, default 8: one tenant's requests beyond it get
    /// `resource_exhausted` while slots remain for others (multi-tenant only).
    var maxConcurrencyPerTenant: Int
    /// `PROJECTION_HTTP_IDLE_TIMEOUT_MS`, default 30000: a connection that sends nothing for this
    /// long is closed, whether idle between requests or stalled mid-headers or mid-body.
    var idleTimeout: Duration
    /// `PROJECTION_HTTP_READ_TIMEOUT_MS`, default 10000: request headers must be complete within it
    /// of their first byte (else the connection is closed), and the whole body within it of the
    /// headers (read before a concurrency slot is taken; else `deadline_exceeded`).
    var readTimeout: Duration
    /// `PROJECTION_HTTP_MAX_CONNECTIONS`, default 1024: open connections at most; beyond it new
    /// connections wait in the listen backlog until one closes.
    var maxConnections: Int
    /// `PROJECTION_SQL_DIR`, default `sql` (relative to the working directory).
    var sqlDirectory: String
    /// `PROJECTION_DESCRIPTOR_SET`, optional; default is the built-in orders-analytics.
    var descriptorSetPath: String?

    init(
        projection: String? = nil, storeKind: StoreKind, storeDSN: String, httpPort: Int = 8080,
        httpHost: String = "0.0.0.0", tenantHeader: String = "x-tenant-id", multiTenant: Bool = true,
        defaultTenant: String = "", tokens: TokenTable = TokenTable(), limits: QueryLimits = QueryLimits(),
        maxBodyBytes: Int = 65_536, maxConcurrency: Int = 16, maxConcurrencyPerTenant: Int = 8, idleTimeout: Duration = .seconds(30),
        readTimeout: Duration = .seconds(10), maxConnections: Int = 1024, sqlDirectory: String = "sql", descriptorSetPath: String? = nil
    ) {
        self.projection = projection
        self.storeKind = storeKind
        self.storeDSN = storeDSN
        self.httpPort = httpPort
        self.httpHost = httpHost
        self.tenantHeader = tenantHeader.lowercased()
        self.multiTenant = multiTenant
        self.defaultTenant = defaultTenant
        self.tokens = tokens
        self.limits = limits
        self.maxBodyBytes = maxBodyBytes
        self.maxConcurrency = maxConcurrency
        self.maxConcurrencyPerTenant = maxConcurrencyPerTenant
        self.idleTimeout = idleTimeout
        self.readTimeout = readTimeout
        self.maxConnections = maxConnections
        self.sqlDirectory = sqlDirectory
        self.descriptorSetPath = descriptorSetPath
    }
}
