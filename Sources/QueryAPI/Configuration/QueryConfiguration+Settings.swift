import Columnstore
import Foundation

extension QueryConfiguration {
    /// Reads every setting; an invalid one throws `ConfigurationError` naming it.
    init(settings: SettingsSource) throws {
        let storeKind = try settings.oneOf(StoreKind.setting, default: StoreKind.clickhouse, choices: StoreKind.environmentChoices)
        let header = settings.string("PROJECTION_TENANT_HEADER", default: "x-tenant-id").lowercased()
        guard !header.isEmpty, header.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
            throw ConfigurationError(code: .invalid, setting: "PROJECTION_TENANT_HEADER", reason: "must be an HTTP header name ([a-z0-9_-]+)")
        }
        var tokens = TokenTable()
        if let inline = settings.string("PROJECTION_TOKENS") {
            tokens.merge(try TokenTable.parse(inline, separator: ";", setting: "PROJECTION_TOKENS"))
        }
        if let path = settings.string("PROJECTION_TOKENS_FILE") {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(code: .unreadableFile, setting: "PROJECTION_TOKENS_FILE", reason: "no readable file at \(path)")
            }
            tokens.merge(try TokenTable.parse(text, separator: "\n", setting: "PROJECTION_TOKENS_FILE"))
        }
        let concurrency = try settings.int("PROJECTION_MAX_CONCURRENCY", default: 16, range: 1...10_000)
        let limits = QueryLimits(
            timeout: try settings.milliseconds("PROJECTION_QUERY_TIMEOUT_MS", default: 10_000, range: 1...3_600_000),
            maxRows: try settings.int("PROJECTION_MAX_ROWS", default: 10_000, range: 1...10_000_000),
            maxResultBytes: try settings.int("PROJECTION_QUERY_MAX_RESULT_BYTES", default: 4 << 20, range: 1_024...(1 << 30)),
            maxConnections: concurrency)
        self.init(
            projection: settings.string("PROJECTION_NAME"),
            storeKind: storeKind,
            storeDSN: try settings.required("PROJECTION_STORE_DSN", hint: "the DSN of the store to query (read-only user)"),
            httpPort: try settings.int("PORT_HTTP", default: 8080, range: 0...65_535),
            httpHost: settings.string("PROJECTION_HTTP_HOST", default: "0.0.0.0"),
            tenantHeader: header,
            multiTenant: try settings.bool("PROJECTION_MULTI_TENANT", default: true),
            defaultTenant: settings.string("PROJECTION_DEFAULT_TENANT", default: ""),
            tokens: tokens,
            limits: limits,
            maxBodyBytes: try settings.int("PROJECTION_MAX_BODY_BYTES", default: 65_536, range: 64...(64 << 20)),
            maxConcurrency: concurrency,
            idleTimeout: try settings.milliseconds("PROJECTION_HTTP_IDLE_TIMEOUT_MS", default: 30_000, range: 100...3_600_000),
            readTimeout: try settings.milliseconds("PROJECTION_HTTP_READ_TIMEOUT_MS", default: 10_000, range: 100...3_600_000),
            maxConnections: try settings.int("PROJECTION_HTTP_MAX_CONNECTIONS", default: 1024, range: 1...1_000_000),
            sqlDirectory: settings.string("PROJECTION_SQL_DIR", default: "sql"),
            descriptorSetPath: settings.string(ProjectionSchema.descriptorSetEnvironmentKey))
    }
}
