import Columnstore
import Testing

/// The same rows in ClickHouse (unmerged parts, stale versions) and Postgres give identical
/// JSON for every RPC, and the answers are the expected numbers.
@Suite("Query API conformance", .serialized)
struct QueryConformanceTests {
    /// (RPC, tenant, body) cases answered by both stores.
    static let cases: [(String, String, String)] = [
        ("GetDailySales", "acme", #"{"fromDay":"2026-11-01","toDay":"2026-11-30"}"#),
        ("GetDailySales", "acme", #"{"from_day":"2026-11-02","to_day":"2026-11-02"}"#),
        ("GetDailySales", "globex", #"{"from_day":"2026-01-01","to_day":"2026-12-31"}"#),
        ("GetDailySales", "acme", #"{"from_day":"2025-01-01","to_day":"2025-12-31"}"#),
        ("GetTopCustomers", "acme", #"{"fromDay":"2026-11-01","toDay":"2026-11-02"}"#),
        ("GetTopCustomers", "acme", #"{"fromDay":"2026-10-01","toDay":"2026-11-30","limit":2}"#),
        ("GetTopCustomers", "acme", #"{"fromDay":"2026-10-31","toDay":"2026-10-31","limit":"1000"}"#),
        ("GetTopCustomers", "globex", #"{"fromDay":"2026-11-01","toDay":"2026-11-01"}"#),
        ("GetOrder", "acme", #"{"orderId":"o1"}"#),
        ("GetOrder", "globex", #"{"order_id":"o1"}"#),
        ("GetOrder", "acme", #"{"orderId":"o7"}"#),
        ("GetOrder", QueryFixtureData.hostile, #"{"orderId":"o7"}"#),
    ]

    @Test("ClickHouse and Postgres answer identically")
    func identicalAnswers() async throws {
        let clickhouse = try await answers(.clickhouse)
        let postgres = try await answers(.postgres)
        #expect(clickhouse.count == Self.cases.count)
        for (index, testCase) in Self.cases.enumerated() {
            #expect(clickhouse[index].status == postgres[index].status, "\(testCase)")
            #expect(clickhouse[index].text == postgres[index].text, "\(testCase)")
        }
    }

    @Test("answers hold the expected numbers", arguments: [StoreKind.clickhouse, .postgres])
    func expectedNumbers(store: StoreKind) async throws {
        let all = try await answers(store)
        #expect(all[0].status == 200)
        #expect(all[0].text == #"{"rows":[{"day":"2026-11-01","orderCount":"3","grossCents":"3500","refundCents":"200","netCents":"3300"},{"day":"2026-11-02","orderCount":"3","grossCents":"3500","refundCents":"0","netCents":"3500"},{"day":"2026-11-05","orderCount":"0","grossCents":"0","refundCents":"300","netCents":"-300"}]}"#)
        #expect(all[1].text == #"{"rows":[{"day":"2026-11-02","orderCount":"3","grossCents":"3500","refundCents":"0","netCents":"3500"}]}"#)
        #expect(all[2].text == #"{"rows":[{"day":"2026-11-01","orderCount":"7","grossCents":"70000","refundCents":"0","netCents":"70000"},{"day":"2026-11-03","orderCount":"1","grossCents":"1","refundCents":"0","netCents":"1"}]}"#)
        #expect(all[3].text == #"{"rows":[]}"#)
        // Ties on gross (2000 each) are broken by customer id; o5 (Oct 31) and o6 (Nov 3) are outside.
        #expect(all[4].text == #"{"rows":[{"customerId":"c1","orderCount":"1","grossCents":"2000"},{"customerId":"c2","orderCount":"2","grossCents":"2000"},{"customerId":"c3","orderCount":"1","grossCents":"2000"}]}"#)
        #expect(all[5].text == #"{"rows":[{"customerId":"c1","orderCount":"1","grossCents":"2000"},{"customerId":"c2","orderCount":"2","grossCents":"2000"}]}"#)
        #expect(all[6].text == #"{"rows":[{"customerId":"c4","orderCount":"1","grossCents":"100"}]}"#)
        #expect(all[7].text == #"{"rows":[{"customerId":"c9","orderCount":"1","grossCents":"99999"}]}"#)
        #expect(all[8].text == #"{"order":{"tenantId":"acme","orderId":"o1","customerId":"c1","amountCents":"2000","currency":"EUR","placedAt":"2026-11-01T10:00:00.123Z","version":"7"}}"#)
        #expect(all[9].text == #"{"order":{"tenantId":"globex","orderId":"o1","customerId":"c9","amountCents":"99999","currency":"USD","placedAt":"2026-11-01T09:00:00Z","version":"8"}}"#)
        #expect(all[10].status == 404)
        #expect(all[10].code == "not_found")
        #expect(all[11].status == 200)
        #expect(all[11].json?["order"]?["customerId"] == .string("cx"))
    }

    @Test("GET with query-string parameters equals POST", arguments: [StoreKind.clickhouse, .postgres])
    func getEqualsPost(store: StoreKind) async throws {
        try await QueryAPITestServer.withFixture(store) { fixture in
            try await QueryAPITestServer.with(fixture) { api in
                let post = try await api.call("GetTopCustomers", body: #"{"fromDay":"2026-11-01","toDay":"2026-11-02","limit":2}"#)
                let get = try await api.call("GetTopCustomers", httpMethod: .get, query: "from_day=2026-11-01&toDay=2026-11-02&limit=2")
                let connectGet = try await api.call(
                    "GetTopCustomers", httpMethod: .get,
                    query: "connect=v1&encoding=json&message=%7B%22fromDay%22%3A%222026-11-01%22%2C%22toDay%22%3A%222026-11-02%22%2C%22limit%22%3A2%7D")
                #expect(post.status == 200)
                #expect(get.text == post.text)
                #expect(connectGet.text == post.text)
            }
        }
    }

    private func answers(_ store: StoreKind) async throws -> [QueryAPIAnswer] {
        try await QueryAPITestServer.withFixture(store) { fixture in
            try await QueryAPITestServer.with(fixture) { api in
                var result: [QueryAPIAnswer] = []
                for (method, tenant, body) in Self.cases {
                    result.append(try await api.call(method, tenant: tenant, body: body))
                }
                return result
            }
        }
    }
}
