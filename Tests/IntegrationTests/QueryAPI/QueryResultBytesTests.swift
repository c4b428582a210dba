import Columnstore
import Foundation
import Testing

/// The query API caps the bytes of an answer on both stores: the store's answer is read up to the bound
/// (Postgres row by row, ClickHouse's body up to the bound), so a query that returns more answers
/// `resource_exhausted` without ever being held whole, and the executor stays usable.
@Suite("Query result bytes")
struct QueryResultBytesTests {
    @Test("an answer over the byte cap is resource_exhausted, also eight at once; the executor answers right after", arguments: [StoreKind.clickhouse, .postgres])
    func byteCap(store: StoreKind) async throws {
        // 5,000 rows of 1 kB: 5 MB if it were held, 80 times the 64 kB cap. Not more: the dev stack's
        // ClickHouse front materialises a whole answer before sending it (clickhouse-server streams it and
        // stops when the client goes), and eight answers of 100 MB once stalled every test sharing it.
        // A deadline no machine comes near.
        let limits = QueryLimits(timeout: .seconds(60), maxRows: 1_000_000, maxResultBytes: 64 << 10, maxConnections: 8)
        try await QueryAPITestServer.withFixture(store, limits: limits) { fixture in
            let method = QueryStoreFixture.service.methods[0].withoutRequestFields
            let hugeSQL = store == .clickhouse
                ? "SELECT repeat('x', 1000) AS s FROM (SELECT number, char(1) AS tenant_id FROM system.numbers) WHERE NOT (tenant_id = {tenant_id:String}) LIMIT 5000"
                : "SELECT repeat('x', 1000) AS s, c.tenant_id AS t FROM generate_series(1, 5000), (SELECT chr(1) AS tenant_id) AS c WHERE NOT (c.tenant_id = {tenant_id})"
            let huge = try QueryCatalog.prepare(method: method, store: store, text: hugeSQL, path: "huge.sql")
            let smallSQL = store == .clickhouse
                ? "SELECT repeat('x', 1000) AS s FROM (SELECT number, char(1) AS tenant_id FROM system.numbers) WHERE NOT (tenant_id = {tenant_id:String}) LIMIT 10"
                : "SELECT repeat('x', 1000) AS s, c.tenant_id AS t FROM generate_series(1, 10), (SELECT chr(1) AS tenant_id) AS c WHERE NOT (c.tenant_id = {tenant_id})"
            let small = try QueryCatalog.prepare(method: method, store: store, text: smallSQL, path: "small.sql")

            let outcomes = await withTaskGroup(of: QueryError.Code?.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await fixture.executor.execute(huge, tenant: "acme", parameters: [:])
                            return nil
                        } catch {
                            return (error as? QueryError)?.code
                        }
                    }
                }
                var codes: [QueryError.Code?] = []
                for await code in group { codes.append(code) }
                return codes
            }
            #expect(outcomes.count == 8)
            #expect(outcomes.allSatisfy { $0 == .resourceExhausted }, "\(outcomes)")
            let result = try await fixture.executor.execute(small, tenant: "acme", parameters: [:])
            #expect(result.rows.count == 10, "the executor answers within the cap right after")
        }
    }
}
