import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ
@testable import QueryAPI
import Testing

/// A client's `Connect-Timeout-Ms` on the real stores: the deadline travels down to the store, so
/// a query that would run for a minute ends at the client's deadline, and every concurrency slot
/// is free as soon as the answers are out. No verdict depends on timing: the slow query never ends
/// by itself on any machine, and the server's own timeout (60 s) is far beyond the test.
@Suite("Query API client deadline on the stores", .serialized)
struct QueryClientDeadlineTests {
    static let slots = 2

    @Test("a slow query under a short client deadline is deadline_exceeded; the store stops it and the service answers with full concurrency",
          arguments: [StoreKind.clickhouse, .postgres])
    func slowQueryStopsAtClientDeadline(store: StoreKind) async throws {
        let limits = QueryLimits(timeout: .seconds(60), maxRows: 1000, maxConnections: Self.slots)
        try await QueryAPITestServer.withFixture(store, limits: limits) { fixture in
            // GetDailySales is made endless: an unbounded scan that matches nothing, or a 60 s sleep.
            let method = try #require(QueryStoreFixture.service.methods.first { $0.name == "GetDailySales" })
            let slowSQL = store == .clickhouse
                ? "SELECT count() AS n FROM (SELECT number, char(1) AS tenant_id FROM system.numbers) WHERE NOT (tenant_id = {tenant_id:String}) AND number % 1000000007 = 1000000006"
                : "SELECT pg_sleep(60)::text AS n, c.tenant_id AS t FROM (SELECT chr(1) AS tenant_id) AS c WHERE NOT (c.tenant_id = {tenant_id})"
            var queries = fixture.catalog.queries
            queries[method.name] = try QueryCatalog.prepare(method: method.withoutRequestFields, store: store, text: slowSQL, path: "slow.sql")
            let catalog = QueryCatalog(store: store, queries: queries)
            try await QueryAPITestServer.with(fixture, catalog: catalog, configure: { $0.maxConcurrency = Self.slots }) { api in
                // Every slot runs the endless query under a 1.5 s client deadline.
                let slow = try await withThrowingTaskGroup(of: QueryAPIAnswer.self) { group in
                    for _ in 0..<Self.slots {
                        group.addTask {
                            try await api.call("GetDailySales", body: #"{"fromDay":"2026-11-01","toDay":"2026-11-02"}"#,
                                               headers: [("connect-timeout-ms", "1500")])
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for answer in slow {
                    #expect(answer.status == 504 && answer.code == "deadline_exceeded", "\(answer.text)")
                    #expect(answer.message.contains("Connect-Timeout-Ms: 1500"), "\(answer.text)")
                }
                // The answers came when the queries had ended, so every slot is free now: as many
                // requests as there are slots, at once, are all answered (none is resource_exhausted).
                let after = try await withThrowingTaskGroup(of: QueryAPIAnswer.self) { group in
                    for _ in 0..<Self.slots {
                        group.addTask {
                            try await api.call("GetTopCustomers", body: #"{"fromDay":"2026-11-01","toDay":"2026-11-30","limit":2}"#)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                for answer in after {
                    #expect(answer.status == 200, "\(answer.text)")
                }
            }
            // The store is not left running the query: Postgres got a cancel request when the deadline
            // passed; ClickHouse was told max_execution_time. Both act on their own, so this is polled.
            let running = try await Self.eventually { try await Self.slowQueriesRunning(fixture, marker: store == .clickhouse ? "1000000006" : "pg_sleep(60)") == 0 }
            #expect(running, "the store still runs the slow query after its client deadline")
        }
    }

    /// Statements from the fixture's reader that contain `marker` and are still running.
    static func slowQueriesRunning(_ fixture: QueryStoreFixture, marker: String) async throws -> Int {
        let reader = try #require(URLComponents(string: fixture.readerDSN))
        switch fixture.store {
        case .postgres:
            let admin = try await PostgresConnection.connect(dsn: DevStack.postgresDSN)
            defer { admin.close() }
            let rows = try await admin.query("""
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE usename = $1 AND state = 'active' AND position($2 in query) > 0
                """, [.text(reader.user ?? ""), .text(marker)])
            return Int(rows.single?.int64("n") ?? 0)
        case .clickhouse:
            let admin = try ClickHouseClient(dsn: DevStack.clickhouseDSN)
            let database = String(reader.path.dropFirst())
            let text = try await admin.query("""
                SELECT count() FROM system.processes
                WHERE current_database = {db:String} AND position(query, {marker:String}) > 0 AND position(query, 'system.processes') = 0
                FORMAT TabSeparated
                """, parameters: ["db": database, "marker": marker]).text
            return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
    }

    /// Polls `condition` until it holds, for at most a minute (a guard, not a measurement).
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<600 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
