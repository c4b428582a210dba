import Columnstore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing
@testable import QueryAPI
@testable import ClickHouseBackend
@testable import PostgresBackend

/// The real query API router, in-process, configured the way `projection-query serve` is for one
/// version of the projection: its descriptor set and its query files, over a store's live tables.
struct HotUpgradeQueryAPI {
    let kind: StoreKind
    let dsn: String
    /// nil: the built-in orders-analytics (v1).
    let descriptorSet: String?
    /// The folder holding `<store>/queries/*.sql`.
    let sqlDirectory: String

    /// GetDailySales for all of March and April 2026: HTTP status and rows (JSON objects).
    func dailySales(tenant: String) async throws -> (status: Int, rows: [[String: Any]]) {
        let schema = try ProjectionSchema.resolve(descriptorSetPath: descriptorSet, projection: "orders-analytics")
        let service = try #require(schema.queryService)
        let catalog = try QueryCatalog.load(service: service, store: kind, sqlDirectory: sqlDirectory)
        let limits = QueryLimits(timeout: .seconds(60), maxRows: 1000, maxConnections: 2) // a hang guard: a cold executor on a loaded machine is slow
        let executor: any QueryExecutor
        switch kind {
        case .clickhouse: executor = try ClickHouseQueryExecutor(dsn: dsn, limits: limits)
        case .postgres: executor = PostgresQueryExecutor(dsn: dsn, limits: limits)
        }
        let configuration = QueryConfiguration(storeKind: kind, storeDSN: dsn, sqlDirectory: sqlDirectory)
        var logger = Logger(label: "projection.query.hot-upgrade")
        logger.logLevel = .warning
        let router = QueryServer.makeRouter(
            service: service, catalog: catalog, executor: executor, configuration: configuration,
            registry: PrometheusCollectorRegistry(), openAPI: OpenAPIGenerator.render(schema: schema), logger: logger)
        let app = Application(router: router, logger: logger)
        let answer = try await app.test(.router) { client in
            try await QueryAPICaller(client: client).call(
                "GetDailySales", tenant: tenant, body: #"{"fromDay":"2026-03-01","toDay":"2026-04-30"}"#)
        }
        await executor.shutdown()
        let object = try? JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any]
        return (answer.status, object?["rows"] as? [[String: Any]] ?? [])
    }
}
