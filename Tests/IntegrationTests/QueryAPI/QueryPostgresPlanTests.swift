import Columnstore
import Logging
import Testing
@testable import PostgresBackend

/// The query executor's prepared statements are planned for each execution's parameters, as an unnamed
/// statement is: with Postgres' default (`plan_cache_mode = auto`) a statement switches to a generic plan
/// after five executions, and for a range query that plan was 2× slower (docs/BENCHMARKS.md).
@Suite("Query executor on Postgres: plans per execution")
struct QueryPostgresPlanTests {
    @Test("a query run past five times on one pooled connection gets no generic plan")
    func noGenericPlans() async throws {
        // One connection, so the probe runs on the session that prepared the query. The deadline is a hang
        // guard only: on a loaded machine a first connection and prepare took over the default 10 s.
        let executor = PostgresQueryExecutor(dsn: DevStack.postgresDSN, limits: QueryLimits(timeout: .seconds(120), maxConnections: 1))
        let probe = PreparedQuery(
            method: "Probe", store: .postgres, path: "probe.sql",
            sql: "SELECT count(*)::bigint AS n FROM generate_series(1, 20) AS g(i) WHERE i > length($1) /* plan-mode-probe */",
            placeholders: [QueryPlaceholder(name: "tenant_id", storeType: nil)])
        let plans = PreparedQuery(
            method: "Plans", store: .postgres, path: "plans.sql",
            sql: """
                SELECT generic_plans AS generic, custom_plans AS custom FROM pg_prepared_statements
                WHERE statement LIKE '%plan-mode-probe */' AND length($1) >= 0
                """,
            placeholders: [QueryPlaceholder(name: "tenant_id", storeType: nil)])
        for tenant in ["a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg", "hhhhhhhh"] {
            let result = try await executor.execute(probe, tenant: tenant, parameters: [:])
            #expect(result.rows.first?["n"] == .int64(Int64(20 - tenant.count)))
        }
        let counts = try await executor.execute(plans, tenant: "t", parameters: [:])
        await executor.shutdown()
        #expect(counts.rows.count == 1, "the probe was prepared once on the connection")
        #expect(counts.rows.first?["generic"] == .int64(0))
        #expect(counts.rows.first?["custom"] == .int64(8))
    }

    /// A value the decoder refuses (a date of `infinity`) fails the request, and its connection goes back to
    /// the pool once: it was released again from the error path, and two requests then shared one session.
    @Test("a refused answer returns its connection to the pool once")
    func refusedAnswerReleasesOnce() async throws {
        let executor = PostgresQueryExecutor(dsn: DevStack.postgresDSN, limits: QueryLimits(timeout: .seconds(120), maxConnections: 2))
        let refused = PreparedQuery(
            method: "Refused", store: .postgres, path: "refused.sql",
            sql: "SELECT 'infinity'::date AS d WHERE length($1) >= 0", placeholders: [QueryPlaceholder(name: "tenant_id", storeType: nil)])
        await #expect(throws: QueryError.self) { _ = try await executor.execute(refused, tenant: "t", parameters: [:]) }
        let counts = await executor.pool.counts
        #expect(counts.idle == 1 && counts.open == 1, "one connection, idle once: \(counts)")
        await executor.shutdown()
    }

    /// A connection returned twice after it was closed (not reusable) counted as closed twice: `open` fell
    /// below the connections really open and the pool could pass its capacity. Only lent connections return.
    @Test("a connection returned twice counts once, closed or idle")
    func doubleReturnCountsOnce() async throws {
        let pool = PostgresConnectionPool(dsn: DevStack.postgresDSN, capacity: 2, sessionSetup: "SELECT 1", logger: Logger(label: "test.pool"))
        let deadline = ContinuousClock.now + .seconds(60)
        let closedOne = try await pool.acquire(deadline: deadline)
        await pool.release(closedOne, reusable: false)
        await pool.release(closedOne, reusable: false)
        var counts = await pool.counts
        #expect(counts.idle == 0 && counts.open == 0, "closed once: \(counts)")
        let kept = try await pool.acquire(deadline: deadline)
        await pool.release(kept, reusable: true)
        await pool.release(kept, reusable: false)
        counts = await pool.counts
        #expect(counts.idle == 1 && counts.open == 1, "idle once, still open: \(counts)")
        await pool.shutdown()
    }
}
