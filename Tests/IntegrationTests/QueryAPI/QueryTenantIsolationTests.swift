import Columnstore
@testable import QueryAPI
import Testing

/// A tenant reads only its own rows, whatever the header, body or parameters hold.
@Suite("Query API tenant isolation", .serialized)
struct QueryTenantIsolationTests {
    static let wholeRange = #"{"fromDay":"1970-01-01","toDay":"2149-06-06"}"#

    @Test("hostile tenant headers match no other tenant", arguments: [StoreKind.clickhouse, .postgres])
    func hostileTenantHeaders(store: StoreKind) async throws {
        try await QueryAPITestServer.withFixture(store) { fixture in
            try await QueryAPITestServer.with(fixture) { api in
                for tenant in ["acme' OR '1'='1", "' OR 1=1 --", "acme\\", "acme%", "%", "*", "ACME", "acme\\'",
                               "{tenant_id:String}", "$1", "globex'--", "acme\\' OR 1=1 --", "'; DROP TABLE orders; --"] {
                    let sales = try await api.call("GetDailySales", tenant: tenant, body: Self.wholeRange)
                    #expect(sales.status == 200, "\(tenant)")
                    #expect(sales.text == #"{"rows":[]}"#, "tenant \(tenant) saw \(sales.text)")
                    let top = try await api.call("GetTopCustomers", tenant: tenant, body: Self.wholeRange)
                    #expect(top.text == #"{"rows":[]}"#, "tenant \(tenant) saw \(top.text)")
                    let order = try await api.call("GetOrder", tenant: tenant, body: #"{"orderId":"o1"}"#)
                    #expect(order.status == 404, "tenant \(tenant) saw \(order.text)")
                }
                // The SQL-looking tenant id is a real tenant: it sees exactly its own row.
                let own = try await api.call("GetDailySales", tenant: QueryFixtureData.hostile, body: Self.wholeRange)
                #expect(own.text == #"{"rows":[{"day":"2026-11-02","orderCount":"5","grossCents":"5","refundCents":"0","netCents":"5"}]}"#)
            }
        }
    }

    @Test("parameters cannot widen the tenant filter", arguments: [StoreKind.clickhouse, .postgres])
    func hostileParameters(store: StoreKind) async throws {
        try await QueryAPITestServer.withFixture(store) { fixture in
            try await QueryAPITestServer.with(fixture) { api in
                // globex's o1 and the hostile tenant's o7 exist, but not for acme under these ids.
                for orderID in ["o7", "o1' OR tenant_id='globex", "o1' OR '1'='1", "o1\\' OR 1=1 --", "x' UNION SELECT * FROM orders --",
                                "o1\n", "o1\t", "o%", "%", "{order_id:String}", "' OR ''='"] {
                    let body = JSONWriter.write(.object([("orderId", .string(orderID))]))
                    let answer = try await api.call("GetOrder", tenant: "acme", body: body)
                    #expect(answer.status == 404, "\(orderID) → \(answer.text)")
                    #expect(answer.code == "not_found")
                }
                let own = try await api.call("GetOrder", tenant: "acme", body: #"{"orderId":"o1"}"#)
                #expect(own.json?["order"]?["tenantId"] == .string("acme"))
                #expect(own.json?["order"]?["customerId"] == .string("c1"))
            }
        }
    }

    @Test("the tenant cannot come from the body, the query string or a second header", arguments: [StoreKind.clickhouse, .postgres])
    func tenantOnlyFromHeader(store: StoreKind) async throws {
        try await QueryAPITestServer.withFixture(store) { fixture in
            try await QueryAPITestServer.with(fixture) { api in
                let inBody = try await api.call("GetOrder", tenant: "acme", body: #"{"orderId":"o1","tenant_id":"globex"}"#)
                #expect(inBody.status == 400)
                #expect(inBody.message.contains("tenant_id"))
                let camel = try await api.call("GetOrder", tenant: "acme", body: #"{"orderId":"o1","tenantId":"globex"}"#)
                #expect(camel.status == 400)
                let inQuery = try await api.call("GetOrder", tenant: "acme", httpMethod: .get, query: "order_id=o1&tenant_id=globex")
                #expect(inQuery.status == 400)
                let twice = try await api.call("GetOrder", tenant: "acme", body: #"{"orderId":"o1"}"#, headers: [("x-tenant-id", "globex")])
                #expect(twice.status == 400)
                #expect(twice.message.contains("x-tenant-id"))
                let missing = try await api.call("GetOrder", tenant: nil, body: #"{"orderId":"o1"}"#)
                #expect(missing.status == 400)
                #expect(missing.code == "invalid_argument")
                #expect(missing.message.contains("x-tenant-id"))
            }
        }
    }

    @Test("bearer tokens: 401 without a valid token, 403 for a tenant the token may not read", arguments: [StoreKind.clickhouse, .postgres])
    func bearerTokens(store: StoreKind) async throws {
        let acmeToken = "acme-token-0123456789abcdef"
        let adminToken = "admin-token-0123456789abcdef"
        try await QueryAPITestServer.withFixture(store) { fixture in
            try await QueryAPITestServer.with(fixture, configure: {
                $0.tokens = TokenTable([acmeToken: .tenants(["acme"]), adminToken: .all])
            }) { api in
                let body = #"{"orderId":"o1"}"#
                let none = try await api.call("GetOrder", tenant: "acme", body: body)
                #expect(none.status == 401)
                #expect(none.code == "unauthenticated")
                let wrong = try await api.call("GetOrder", tenant: "acme", body: body, headers: [("authorization", "Bearer not-a-token-at-all-xx")])
                #expect(wrong.status == 401)
                #expect(!wrong.text.contains("not-a-token"))
                let basic = try await api.call("GetOrder", tenant: "acme", body: body, headers: [("authorization", "Basic \(acmeToken)")])
                #expect(basic.status == 401)
                let forbidden = try await api.call("GetOrder", tenant: "globex", body: body, headers: [("authorization", "Bearer \(acmeToken)")])
                #expect(forbidden.status == 403)
                #expect(forbidden.code == "permission_denied")
                let allowed = try await api.call("GetOrder", tenant: "acme", body: body, headers: [("authorization", "Bearer \(acmeToken)")])
                #expect(allowed.json?["order"]?["customerId"] == .string("c1"))
                let admin = try await api.call("GetOrder", tenant: "globex", body: body, headers: [("authorization", "bearer \(adminToken)")])
                #expect(admin.json?["order"]?["customerId"] == .string("c9"))
            }
        }
    }
}
