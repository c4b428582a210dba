import ArgumentParser
import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ

/// Where queries go: `api` (the running `projection-query`) or `direct` (the store, same SQL).
struct QueryTargetOptions: ParsableArguments {
    @Option(help: "api or direct.")
    var mode: String = "api"

    @Option(help: "Port of projection-query on 127.0.0.1 (api mode).")
    var apiPort: UInt16 = 8080

    @Option(help: "json or proto: the Connect codec of the query API's requests and answers (api mode).")
    var codec: String = "json"

    @Option(help: "Tenant header of the query API.")
    var tenantHeader: String = "x-tenant-id"

    @Flag(help: "Postgres direct mode: prepare each statement once per connection (as the query API does), instead of unnamed statements.")
    var prepared = false

    @Option(help: "clickhouse or postgres (direct mode).")
    var store: String = "clickhouse"

    @Option(help: "Directory holding <store>/queries/<Method>.sql (direct mode).")
    var sqlDir: String = "sql"

    func validate() throws {
        guard ["api", "direct"].contains(mode) else { throw ValidationError("--mode must be api or direct") }
        guard StoreKind(rawValue: store) != nil else { throw ValidationError("--store must be clickhouse or postgres") }
        guard ["json", "proto"].contains(codec) else { throw ValidationError("--codec must be json or proto") }
    }

    var label: String { mode == "api" ? (codec == "proto" ? "api-proto" : "api") : "direct-\(store)\(prepared ? "-prepared" : "")" }

    /// Opens one connection. In direct mode the DSN comes from `PROJECTION_STORE_DSN` (never from
    /// the command line, which other users of the machine can read).
    func connect(catalog: QueryCatalog?) async throws -> QueryTransport {
        let service = try Self.service()
        if mode == "api" {
            return .api(HTTPConnection(port: apiPort), tenantHeader: tenantHeader, servicePath: "/\(service.fullName)",
                        proto: codec == "proto" ? service : nil)
        }
        guard let dsn = ProcessInfo.processInfo.environment["PROJECTION_STORE_DSN"] else {
            throw BenchError(.invalidArgument, operation: "query", "direct mode needs PROJECTION_STORE_DSN")
        }
        let kind = StoreKind(rawValue: store)!
        let catalog = try catalog ?? loadCatalog()!
        switch kind {
        case .clickhouse:
            return .clickhouse(try ClickHouseClient(dsn: dsn, configuration: .init(poolSize: 1)), catalog)
        case .postgres:
            return .postgres(try await PostgresConnection.connect(dsn: dsn), catalog, prepared: prepared)
        }
    }

    /// The direct mode's prepared queries (nil in api mode), loaded once per command.
    func loadCatalog() throws -> QueryCatalog? {
        guard mode == "direct" else { return nil }
        return try QueryCatalog.load(service: Self.service(), store: StoreKind(rawValue: store)!, sqlDirectory: sqlDir)
    }

    static func service() throws -> QueryServiceSchema {
        guard let service = ProjectionSchema.ordersAnalytics.queryService else {
            throw BenchError(.invalidArgument, operation: "query", "orders-analytics declares no query service")
        }
        return service
    }
}
