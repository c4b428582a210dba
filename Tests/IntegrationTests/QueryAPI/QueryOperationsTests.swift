import Columnstore
import Testing
@testable import ClickHouseBackend
@testable import PostgresBackend

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.json` of the query API.
@Suite("Query API operations", .serialized)
struct QueryOperationsTests {
    @Test("health, readiness, metrics by method and code, and the OpenAPI document", arguments: [StoreKind.clickhouse, .postgres])
    func operations(store: StoreKind) async throws {
        try await QueryAPITestServer.withFixture(store) { fixture in
            try await QueryAPITestServer.with(fixture) { api in
                #expect(try await api.raw(uri: "/healthz", tenant: nil, body: nil, httpMethod: .get).status == 200)
                #expect(try await api.raw(uri: "/readyz", tenant: nil, body: nil, httpMethod: .get).status == 200)
                _ = try await api.call("GetOrder", body: #"{"orderId":"o1"}"#)
                _ = try await api.call("GetOrder", body: #"{"orderId":"missing"}"#)
                _ = try await api.call("GetOrder", body: #"{"orderId":1}"#)
                let metrics = try await api.raw(uri: "/metrics", tenant: nil, body: nil, httpMethod: .get)
                #expect(metrics.text.contains(#"projection_query_requests_total{method="GetOrder",code="ok"} 1"#))
                #expect(metrics.text.contains(#"projection_query_requests_total{method="GetOrder",code="not_found"} 1"#))
                #expect(metrics.text.contains(#"projection_query_requests_total{method="GetOrder",code="invalid_argument"} 1"#))
                #expect(metrics.text.contains(#"projection_query_request_duration_seconds_count{method="GetOrder"} 3"#))
                let openAPI = try await api.raw(uri: "/openapi.json", tenant: nil, body: nil, httpMethod: .get)
                #expect(openAPI.status == 200)
                #expect(openAPI.json?["paths"]?["/orders.analytics.v1.OrdersAnalyticsQuery/GetDailySales"] != nil)
            }
        }
    }

    @Test("readiness fails when the store is unreachable", arguments: [StoreKind.clickhouse, .postgres])
    func notReady(store: StoreKind) async throws {
        let deadDSN = store == .clickhouse
            ? "http://projection:projection@127.0.0.1:1/projection"
            : "postgresql://projection:projection@127.0.0.1:1/projection?connect_timeout=2"
        let executor: any QueryExecutor = store == .clickhouse
            ? try ClickHouseQueryExecutor(dsn: deadDSN, limits: QueryLimits())
            : PostgresQueryExecutor(dsn: deadDSN, limits: QueryLimits())
        await #expect {
            try await executor.checkReachable()
        } throws: { error in
            (error as? QueryError)?.code == .unavailable && !((error as? QueryError)?.detail ?? "").contains("projection:projection@")
        }
        await executor.shutdown()
    }
}
