import Columnstore
import LibPQ
import Testing
@testable import PostgresBackend

/// A Postgres cutover renames the live tables, which waits for every session's lock on them. A session
/// that keeps one (a frozen client, a forgotten transaction) used to stall the cutover, and every read
/// queued behind its rename, for as long as it lasted. Now each lock is waited for `tableLocks.attempt`
/// at most, the swap rolls back whole and is tried again, and after `tableLocks.total` it fails with
/// `tables_locked`. Deadlines here are the policy under test or hang guards; verdicts are outcomes.
@Suite("Postgres cutover under a held table lock (dev stack)", .serialized)
struct PostgresCutoverLockTests {
    static let generation = RebuildGeneration(live: ConsumerID(projection: "orders-analytics", consumer: "durable-live"))

    /// The namespace holding the rebuild's checkpoint row (moved by a cutover).
    static func checkpointNamespaces(_ fixture: StoreFixture) async throws -> [[String]] {
        try await fixture.rows("", postgres: "SELECT projection, consumer FROM _projection_checkpoints ORDER BY 1")
    }

    /// Whether some session waits for a lock on a table of this fixture's schema (the cutover's attempt;
    /// other tests running beside this one wait for locks on tables of their own schemas).
    static func someoneWaits(_ fixture: StoreFixture) async throws -> Bool {
        try await fixture.rows("", postgres: """
            SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE NOT l.granted AND c.relnamespace = current_schema()::regnamespace
            """) != [["0"]]
    }

    /// A store with shadow tables and the rebuild's checkpoint, a rebuilder waiting for locks as `total`
    /// allows, and a session holding a reader's lock on `orders` until its transaction ends (as a frozen
    /// client's statement would hold it).
    static func setUp(total: Duration) async throws -> (StoreFixture, PostgresRebuilder, PostgresConnection) {
        let fixture = try await StoreFixture.make(.postgres, prefix: "cutlock")
        let rebuilder = PostgresRebuilder(dsn: fixture.dsn, schema: .ordersAnalytics, tableLocks: DDLLockPolicy(attempt: .milliseconds(200), total: total))
        try await rebuilder.prepare(Self.generation, fromSequence: 5)
        let holder = try await PostgresConnection.connect(dsn: fixture.dsn)
        try await holder.execute("BEGIN")
        _ = try await holder.query("SELECT count(*) FROM orders")
        return (fixture, rebuilder, holder)
    }

    @Test("a session keeping a live table locked fails the cutover with tables_locked, nothing moved")
    func heldLockFails() async throws {
        let (fixture, rebuilder, holder) = try await Self.setUp(total: .seconds(3))
        let before = try await Self.checkpointNamespaces(fixture)
        #expect(before == [["orders-analytics__rebuild", "durable-live__rebuild"]])
        let error = try await #require(throws: RebuildError.self) { try await rebuilder.cutover(Self.generation, keepPrevious: false) }
        #expect(error.code == .tablesLocked, "\(error)")
        #expect(error.description.contains("Nothing was swapped"))
        #expect(try await RebuildCutoverTests.tableExists(fixture, "orders__rebuild"), "the shadow tables are still the shadow")
        #expect(try await Self.checkpointNamespaces(fixture) == before, "the rebuild's checkpoint did not move")
        try await holder.execute("ROLLBACK")
        holder.close()
        await rebuilder.close()
        await fixture.drop()
    }

    @Test("the same cutover goes through once the holder lets go after a failed attempt")
    func retriedAfterRelease() async throws {
        let (fixture, rebuilder, holder) = try await Self.setUp(total: .seconds(600))
        let cutover = Task { try await rebuilder.cutover(Self.generation, keepPrevious: false) }
        // Released only after an attempt was seen waiting and then seen gone (timed out, rolled back,
        // pausing before the next): so the call that succeeds is a retry. The clock is a hang guard.
        let clock = ContinuousClock()
        let guardUntil = clock.now + .seconds(300)
        var sawWait = false, sawGap = false
        while !sawGap, clock.now < guardUntil {
            let waiting = try await Self.someoneWaits(fixture)
            if waiting { sawWait = true } else if sawWait { sawGap = true }
            try await clock.sleep(for: .milliseconds(10))
        }
        #expect(sawGap, "an attempt waited and gave up")
        try await holder.execute("ROLLBACK")
        holder.close()
        try await cutover.value
        #expect(!(try await RebuildCutoverTests.tableExists(fixture, "orders__rebuild")), "swapped in")
        #expect(try await Self.checkpointNamespaces(fixture) == [["orders-analytics", "durable-live"]], "the checkpoint moved with it")
        await rebuilder.close()
        await fixture.drop()
    }
}
