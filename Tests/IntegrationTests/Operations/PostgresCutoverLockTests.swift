import Columnstore
import LibPQ
import Testing
@testable import PostgresBackend

/// A Postgres cutover renames the live tables, which waits for every session's lock on them. A session
/// that keeps one (a frozen client, a forgotten transaction) used to stall the cutover, and every read
/// queued behind its rename, for as long as it lasted. Now each attempt waits `tableLocks.attempt`, the
/// swap rolls back whole and is tried again, and after `tableLocks.total` it fails with `tables_locked`.
@Suite("Postgres cutover under a held table lock (dev stack)", .serialized)
struct PostgresCutoverLockTests {
    @Test("a session keeping a live table locked fails the cutover with tables_locked and nothing swapped; once it lets go, the cutover goes through")
    func heldLock() async throws {
        let fixture = try await StoreFixture.make(.postgres, prefix: "cutlock")
        let generation = RebuildGeneration(live: ConsumerID(projection: "orders-analytics", consumer: "durable-live"))
        let rebuilder = PostgresRebuilder(dsn: fixture.dsn, schema: .ordersAnalytics,
                                          tableLocks: DDLLockPolicy(attempt: .milliseconds(200), total: .seconds(3)))
        try await rebuilder.prepare(generation, fromSequence: 1)

        // A reader's lock, held until its transaction ends (as a frozen client's statement would hold it).
        let holder = try await PostgresConnection.connect(dsn: fixture.dsn)
        try await holder.execute("BEGIN")
        _ = try await holder.query("SELECT count(*) FROM orders")
        let error = try await #require(throws: RebuildError.self) { try await rebuilder.cutover(generation, keepPrevious: false) }
        #expect(error.code == .tablesLocked, "\(error)")
        #expect(error.description.contains("Nothing was swapped"))
        #expect(try await RebuildCutoverTests.tableExists(fixture, "orders__rebuild"), "the shadow tables are still the shadow")
        #expect(try await RebuildCutoverTests.tableExists(fixture, "orders"))

        try await holder.execute("ROLLBACK")
        holder.close()
        try await rebuilder.cutover(generation, keepPrevious: false)
        #expect(!(try await RebuildCutoverTests.tableExists(fixture, "orders__rebuild")), "swapped in once the lock is gone")
        #expect(try await RebuildCutoverTests.tableExists(fixture, "orders"))
        await rebuilder.close()
        await fixture.drop()
    }
}
