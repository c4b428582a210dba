import Columnstore
@testable import QueryAPI
import LibPQ
import Testing

/// Client mistakes get 400 invalid_argument naming the field (or 404 / 429 where stated), never 5xx.
@Suite("Query API bad input", .serialized)
struct QueryBadInputTests {
    /// (RPC, body, field the message must name).
    static let cases: [(String, String, String)] = [
        ("GetDailySales", #"{"fromDay":"#, "request body"),
        ("GetDailySales", #"[]"#, "request body"),
        ("GetDailySales", #""2026-11-01""#, "request body"),
        ("GetDailySales", #"{"fromDay":"2026-11-01","toDay":"2026-11-02"} x"#, "request body"),
        ("GetDailySales", #"{"fromDay":20261101,"toDay":"2026-11-02"}"#, "from_day"),
        ("GetDailySales", #"{"fromDay":"2026-13-01","toDay":"2026-11-02"}"#, "from_day"),
        ("GetDailySales", #"{"fromDay":"2026-02-30","toDay":"2026-11-02"}"#, "from_day"),
        ("GetDailySales", #"{"fromDay":"2026-11-01T00:00:00Z","toDay":"2026-11-02"}"#, "from_day"),
        ("GetDailySales", #"{"fromDay":"1969-12-31","toDay":"2026-11-02"}"#, "from_day"),
        ("GetDailySales", #"{"fromDay":"2026-11-01","toDay":"9999-12-31"}"#, "to_day"),
        ("GetDailySales", #"{"fromDay":"2026-11-03","toDay":"2026-11-02"}"#, "from_day"),
        ("GetDailySales", #"{"fromDay":"2026-11-01"}"#, "to_day"),
        ("GetDailySales", #"{"fromDay":"2026-11-01","from_day":"2026-11-01","toDay":"2026-11-02"}"#, "from_day"),
        ("GetDailySales", #"{"fromDay":"2026-11-01","toDay":"2026-11-02","bogus":1}"#, "bogus"),
        ("GetDailySales", #"{"fromDay":["2026-11-01"],"toDay":"2026-11-02"}"#, "from_day"),
        ("GetTopCustomers", #"{"fromDay":"2026-11-01","toDay":"2026-11-02","limit":-1}"#, "limit"),
        ("GetTopCustomers", #"{"fromDay":"2026-11-01","toDay":"2026-11-02","limit":0}"#, "limit"),
        ("GetTopCustomers", #"{"fromDay":"2026-11-01","toDay":"2026-11-02","limit":1001}"#, "limit"),
        ("GetTopCustomers", #"{"fromDay":"2026-11-01","toDay":"2026-11-02","limit":1e30}"#, "limit"),
        ("GetTopCustomers", #"{"fromDay":"2026-11-01","toDay":"2026-11-02","limit":99999999999999999999999999}"#, "limit"),
        ("GetTopCustomers", #"{"fromDay":"2026-11-01","toDay":"2026-11-02","limit":1.5}"#, "limit"),
        ("GetTopCustomers", #"{"fromDay":"2026-11-01","toDay":"2026-11-02","limit":"ten"}"#, "limit"),
        ("GetTopCustomers", #"{"fromDay":"2026-11-01","toDay":"2026-11-02","limit":true}"#, "limit"),
        ("GetOrder", #"{}"#, "order_id"),
        ("GetOrder", #"{"orderId":123}"#, "order_id"),
        ("GetOrder", #"{"orderId":"a\u0000b"}"#, "order_id"),
        ("GetOrder", #"{"orderId":"\#(String(repeating: "x", count: 5000))"}"#, "order_id"),
        ("GetOrder", #"{"orderId":"\ud800"}"#, "request body"),
        ("GetOrder", String(repeating: "[", count: 10_000), "request body"),
    ]

    @Test("each bad request is 400 invalid_argument naming the field", arguments: [StoreKind.clickhouse, .postgres])
    func badRequests(store: StoreKind) async throws {
        try await QueryAPITestServer.withFixture(store) { fixture in
            try await QueryAPITestServer.with(fixture) { api in
                for (method, body, field) in Self.cases {
                    let answer = try await api.call(method, body: body)
                    #expect(answer.status == 400, "\(method) \(body.prefix(80)) → \(answer.status) \(answer.text)")
                    #expect(answer.code == "invalid_argument", "\(method) \(body.prefix(80))")
                    #expect(answer.message.contains(field), "\(method) \(body.prefix(80)) → \(answer.message)")
                }
                // Bad GET query strings too.
                let getCases: [(String, String)] = [
                    ("from_day=2026-11-01", "to_day"),
                    ("from_day=2026-11-01&to_day=2026-11-02&limit=abc", "limit"),
                    ("from_day=2026-11-01&from_day=2026-11-02&to_day=2026-11-02", "from_day"),
                    ("from_day=2026-11-01&to_day=%ZZ", "query string"),
                ]
                for (query, field) in getCases {
                    let answer = try await api.call("GetTopCustomers", httpMethod: .get, query: query)
                    #expect(answer.status == 400, "\(query) → \(answer.text)")
                    #expect(answer.message.contains(field), "\(query) → \(answer.message)")
                }
            }
        }
    }

    @Test("unknown procedures are 404 unimplemented, other unknown paths 404 not_found", arguments: [StoreKind.clickhouse, .postgres])
    func unknownMethods(store: StoreKind) async throws {
        try await QueryAPITestServer.withFixture(store) { fixture in
            try await QueryAPITestServer.with(fixture) { api in
                // The Connect spec maps an unknown procedure to unimplemented (connect-go answers it with 404 too).
                for path in ["/orders.analytics.v1.OrdersAnalyticsQuery/GetNothing", "/other.v1.Service/GetOrder"] {
                    let answer = try await api.call(path, body: "{}")
                    #expect(answer.status == 404, "\(path)")
                    #expect(answer.code == "unimplemented", "\(path)")
                }
                for path in ["/orders.analytics.v1.OrdersAnalyticsQuery", "/", "/orders.analytics.v1.OrdersAnalyticsQuery/GetOrder/extra"] {
                    let answer = try await api.call(path, body: "{}")
                    #expect(answer.status == 404, "\(path)")
                    #expect(answer.code == "not_found", "\(path)")
                }
                let put = try await api.call("GetOrder", body: #"{"orderId":"o1"}"#, httpMethod: .put)
                #expect(put.status == 404)
                #expect(put.code == "unimplemented")
            }
        }
    }

    @Test("limits: body size, row cap and deadline map to Connect codes", arguments: [StoreKind.clickhouse, .postgres])
    func limits(store: StoreKind) async throws {
        // The size and row caps are checked under a deadline no machine comes near, so a busy
        // machine cannot turn them into deadline_exceeded.
        try await QueryAPITestServer.withFixture(store, limits: QueryLimits(timeout: .seconds(60), maxRows: 2, maxConnections: 2)) { fixture in
            try await QueryAPITestServer.with(fixture, configure: { $0.maxBodyBytes = 256 }) { api in
                let big = #"{"orderId":"\#(String(repeating: "y", count: 1000))"}"#
                let tooLarge = try await api.call("GetOrder", body: big)
                #expect(tooLarge.status == 429)
                #expect(tooLarge.code == "resource_exhausted")
                // acme has three days of sales in November; the cap is two rows.
                let tooMany = try await api.call("GetDailySales", body: #"{"fromDay":"2026-11-01","toDay":"2026-11-30"}"#)
                #expect(tooMany.status == 429, "\(tooMany.text)")
                #expect(tooMany.code == "resource_exhausted")
                let fits = try await api.call("GetDailySales", body: #"{"fromDay":"2026-11-01","toDay":"2026-11-02"}"#)
                #expect(fits.status == 200)
            }
        }
        // The deadline case runs queries that never finish on any machine (an endless scan, a
        // 60 s sleep), so only the 200 ms deadline can end them.
        try await QueryAPITestServer.withFixture(store, limits: QueryLimits(timeout: .milliseconds(200), maxRows: 2, maxConnections: 2)) { fixture in
            let slowSQL = store == .clickhouse
                ? "SELECT count() AS n FROM (SELECT number, char(1) AS tenant_id FROM system.numbers) WHERE NOT (tenant_id = {tenant_id:String}) AND number % 1000000007 = 1000000006"
                : "SELECT pg_sleep(60)::text AS n, c.tenant_id AS t FROM (SELECT chr(1) AS tenant_id) AS c WHERE NOT (c.tenant_id = {tenant_id})"
            let slow = try QueryCatalog.prepare(
                method: QueryStoreFixture.service.methods[0].withoutRequestFields, store: store, text: slowSQL, path: "slow.sql")
            await #expect {
                _ = try await fixture.executor.execute(slow, tenant: "acme", parameters: [:])
            } throws: { error in
                (error as? QueryError)?.code == .deadlineExceeded
            }
        }
    }

    @Test("the Postgres role of the fixture is read-only")
    func postgresReaderIsReadOnly() async throws {
        try await QueryAPITestServer.withFixture(.postgres) { fixture in
            let connection = try await LibPQ.PostgresConnection.connect(dsn: fixture.readerDSN)
            defer { connection.close() }
            await #expect(throws: LibPQ.PostgresError.self) {
                try await connection.query("INSERT INTO daily_sales (tenant_id, day, order_count, gross_cents, refund_cents) VALUES ('acme', '2026-01-01', 1, 1, 0)")
            }
            let rows = try await connection.query("SELECT count(*) AS n FROM daily_sales")
            #expect(rows.single?.int64("n") == Int64(QueryFixtureData.dailySales.count))
        }
    }
}

extension QueryMethodSchema {
    /// The same RPC with an empty request message (for ad-hoc queries in tests).
    var withoutRequestFields: QueryMethodSchema {
        var copy = self
        copy.requestFields = []
        return copy
    }
}
