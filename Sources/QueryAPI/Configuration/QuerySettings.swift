import Columnstore

/// Every setting projection-query reads, declared once: `QueryConfiguration(settings:)` reads through
/// these, `--help` and docs/SETTINGS.md list them, and a test fails when the reads and the list differ.
enum QuerySettings {
    static let name = SettingDeclaration.string("PROJECTION_NAME", shown: "the descriptor set's only projection", "the projection to serve")
    static let storeKind = SettingDeclaration.choice(StoreKind.setting, default: "clickhouse", choices: ["clickhouse", "postgres_table"], "the store queried")
    static let storeDSN = SettingDeclaration.required("PROJECTION_STORE_DSN", "the store's DSN (a read-only user)")
    static let httpPort = SettingDeclaration.int("PORT_HTTP", default: 8080, range: 0...65_535, "the port of the query RPCs, `/healthz`, `/readyz`, `/metrics` and `/version`")
    static let httpHost = SettingDeclaration.string("PROJECTION_HTTP_HOST", default: "0.0.0.0", "the listen address of `PORT_HTTP`")
    static let tenantHeader = SettingDeclaration.string("PROJECTION_TENANT_HEADER", default: "x-tenant-id", "the header naming the tenant (without tokens)")
    static let multiTenant = SettingDeclaration.bool("PROJECTION_MULTI_TENANT", default: true, "every call names its tenant; false: `PROJECTION_DEFAULT_TENANT` for all")
    static let defaultTenant = SettingDeclaration.string("PROJECTION_DEFAULT_TENANT", default: "", "the tenant of every call when not multi-tenant")
    static let tokens = SettingDeclaration.string("PROJECTION_TOKENS", "bearer tokens and their tenants, `token=tenant[,tenant];…` (docs/QUERY_API.md)")
    static let tokensFile = SettingDeclaration.string("PROJECTION_TOKENS_FILE", "the same, one `token=tenant[,tenant]` per line")
    static let queryTimeout = SettingDeclaration.milliseconds("PROJECTION_QUERY_TIMEOUT_MS", default: 10_000, range: 1...3_600_000, "a query's deadline (a client's `Connect-Timeout-Ms` may shorten it)")
    static let maxRows = SettingDeclaration.int("PROJECTION_MAX_ROWS", default: 10_000, range: 1...10_000_000, "rows per answer at most")
    static let maxResultBytes = SettingDeclaration.int("PROJECTION_QUERY_MAX_RESULT_BYTES", default: 4 << 20, range: 1_024...(1 << 30), shown: "4 MiB", "result bytes read from the store per answer at most")
    static let maxBodyBytes = SettingDeclaration.int("PROJECTION_MAX_BODY_BYTES", default: 65_536, range: 64...(64 << 20), "request body bytes at most (decompressed)")
    static let maxConcurrency = SettingDeclaration.int("PROJECTION_MAX_CONCURRENCY", default: 16, range: 1...10_000, "queries running at once at most (and store connections)")
    static let maxConcurrencyPerTenant = SettingDeclaration.int("PROJECTION_MAX_CONCURRENCY_PER_TENANT", default: 8, range: 1...10_000, "queries of one tenant running at once at most (with PROJECTION_MULTI_TENANT), so one tenant cannot take every slot")
    static let httpIdleTimeout = SettingDeclaration.milliseconds("PROJECTION_HTTP_IDLE_TIMEOUT_MS", default: 30_000, range: 100...3_600_000, "closes HTTP connections that send nothing for this long")
    static let httpReadTimeout = SettingDeclaration.milliseconds("PROJECTION_HTTP_READ_TIMEOUT_MS", default: 10_000, range: 100...3_600_000, "the time a client has for its request headers, then for its body; an answer stalled unwritten this long closes the connection")
    static let httpMaxConnections = SettingDeclaration.int("PROJECTION_HTTP_MAX_CONNECTIONS", default: 1024, range: 1...1_000_000, "open HTTP connections at most")
    static let sqlDirectory = SettingDeclaration.string("PROJECTION_SQL_DIR", default: "sql", "the generated `sql/` directory (per-store query SQL)")
    static let descriptorSet = SettingDeclaration.string(ProjectionSchema.descriptorSetEnvironmentKey, shown: "the built-in orders-analytics", "a compiled descriptor set holding the projection")
    static let configFile = SettingDeclaration.string(SettingsSource.configFileSetting, "a file of `NAME=value` lines with defaults the environment overrides")

    /// In the order `--help` and the docs show them.
    static let all: [SettingDeclaration] = [
        name, storeKind, storeDSN, httpPort, httpHost, tenantHeader, multiTenant, defaultTenant, tokens, tokensFile, queryTimeout, maxRows,
        maxResultBytes, maxBodyBytes, maxConcurrency, maxConcurrencyPerTenant, httpIdleTimeout, httpReadTimeout, httpMaxConnections, sqlDirectory, descriptorSet, configFile,
    ]
}
