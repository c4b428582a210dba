import Columnstore
import Foundation
import LibPQ
import Testing
@testable import Columnstore
@testable import PostgresBackend

/// A writer frozen in the middle of its batch transaction (SIGSTOP, a stalled VM) holds its partition's
/// checkpoint row lock. Replicas set `idle_in_transaction_session_timeout` to the lease TTL on their store
/// connections, so the server ends an idle frozen transaction; and a new owner's fence, after waiting TTL/3
/// for the row, ends the session holding it (also one inside a statement, which the timeout does not
/// reach). Either way the fence goes through while the writer is still frozen, however long the freeze
/// lasts; when it wakes it cannot commit anything.
@Suite("A frozen Postgres writer")
struct FrozenWriterTests {
    /// Records the order of events across tasks.
    actor Timeline {
        var events: [String] = []
        func note(_ event: String) { events.append(event) }
    }

    @Test("a new owner fences the partition while the old one is frozen mid-transaction; the old one's batch applies nothing")
    func fenceDuringFreeze() async throws {
        let (schema, facts) = try LeaseFencingTests.facts()
        let fixture = try await StoreFixture.make(.postgres, prefix: "frozen")
        let ttl: Duration = .seconds(3)
        // The freeze lasts 10 TTLs: the verdict is the order of events, which holds on any machine that
        // runs a fence within 30 s.
        let freeze: Duration = .seconds(30)
        let consumer = ConsumerID(projection: "orders-analytics", consumer: "frozen", partition: 0)
        let old = PostgresProjectionStore(dsn: fixture.dsn, schema: schema, logger: .init(label: "old"), idleTransactionTimeout: ttl)
        let new = PostgresProjectionStore(dsn: fixture.dsn, schema: schema, logger: .init(label: "new"), idleTransactionTimeout: ttl)
        let half = facts.count / 2
        let first = Array(facts[..<half]), second = Array(facts[half...])

        try await Self.retrying { try await old.fence(consumer, epoch: 5) }
        // A machine so busy that the client pauses a TTL between two statements gets its transaction ended
        // too (that is the point): ingest retries such a batch, and so does this setup.
        try await Self.retrying { try await LeaseFencingTests().write(old, consumer, first, epoch: 5) }
        let committed = try await old.loadCheckpoint(consumer)

        let timeline = Timeline()
        await old.setPauseInTransaction {
            await timeline.note("old frozen")
            try? await Task.sleep(for: freeze)
            await timeline.note("old woke")
        }
        let start = ContinuousClock.now
        let stale = Task { try await LeaseFencingTests().write(old, consumer, second, epoch: 5) }
        // Wait until the old writer is frozen inside its transaction, holding the checkpoint row.
        while await !timeline.events.contains("old frozen") { try await Task.sleep(for: .milliseconds(20)) }
        try await Self.retrying { try await new.fence(consumer, epoch: 9) }
        await timeline.note("new fenced")
        print("frozen-writer: the new owner's fence went through \(ContinuousClock.now - start) after the freeze began (TTL \(ttl))")

        await #expect(throws: (any Error).self, "the frozen writer's batch cannot commit") { try await stale.value }
        await old.setPauseInTransaction(nil)
        #expect(await timeline.events == ["old frozen", "new fenced", "old woke"], "the fence did not wait for the frozen writer")
        // Woken, the old owner is fenced off for good; the new one writes the rest.
        await LeaseFencingTests().expectFenced { try await Self.retrying { try await LeaseFencingTests().write(old, consumer, second, epoch: 5) } }
        #expect(try await new.loadCheckpoint(consumer) == committed, "nothing of the frozen batch was applied")
        try await Self.retrying { try await LeaseFencingTests().write(new, consumer, second, epoch: 9) }
        let orders = try await fixture.orders()
        let placed = Set(facts.filter { $0.factType == "orders.order_placed.v1" }.map { "\($0.tenant)/\($0.idempotencyKey)" })
        #expect(orders.values.map(\.count).reduce(0, +) == placed.count, "every order exactly once")
        await fixture.drop()
    }

    @Test("a fence ends the session that holds the checkpoint row inside a statement, where the idle-transaction timeout does not reach")
    func fenceEndsBusyHolder() async throws {
        let (schema, facts) = try LeaseFencingTests.facts()
        let fixture = try await StoreFixture.make(.postgres, prefix: "busyholder")
        let ttl: Duration = .seconds(1)
        let consumer = ConsumerID(projection: "orders-analytics", consumer: "busy", partition: 0)
        let old = PostgresProjectionStore(dsn: fixture.dsn, schema: schema, logger: .init(label: "old"), idleTransactionTimeout: ttl)
        let new = PostgresProjectionStore(dsn: fixture.dsn, schema: schema, logger: .init(label: "new"), idleTransactionTimeout: ttl)
        // With a 1 s idle-transaction timeout, a loaded machine can pause a client long enough inside the
        // fence's own transaction for the server to end it: ingest retries a fence, and so does this test.
        try await Self.retrying { try await old.fence(consumer, epoch: 5) }

        // A session of the replicas' role (and with their idle timeout) locks the row as a batch does, then
        // stays inside a statement for ten minutes: what a writer frozen while its backend sends a result
        // or reads a message looks like to the server. One simple query, so it never idles in between.
        let holder = try await PostgresConnection.connect(dsn: fixture.dsn)
        try await holder.execute("SET idle_in_transaction_session_timeout = \(ttl.wholeMilliseconds)")
        let pid = try #require(try await holder.query("SELECT pg_backend_pid()")[0].int64(at: 0))
        let busy = Task {
            try await holder.execute("""
                BEGIN;
                SELECT lease_epoch FROM _projection_checkpoints WHERE projection = 'orders-analytics' AND consumer = 'busy' AND partition = 0 FOR UPDATE;
                SELECT pg_sleep(600)
                """)
        }
        let observer = try await PostgresConnection.connect(dsn: fixture.dsn)
        do {
            // Hang guard only: the sleep shows up long before on any machine.
            let clock = ContinuousClock(), guardUntil = clock.now + .seconds(120)
            while try await observer.query(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int4 AND state = 'active' AND query LIKE '%pg_sleep%'",
                [.int64(pid)])[0].int64(at: 0) != 1 {
                try #require(clock.now < guardUntil, "the holder never started its statement")
                try await Task.sleep(for: .milliseconds(20))
            }

            try await Self.retrying { try await new.fence(consumer, epoch: 9) }
            #expect(try await new.leaseEpoch(consumer) == 9, "the new owner's epoch is stored")
            await #expect(throws: PostgresError.self, "the holder's session was ended, its statement with it") { try await busy.value }
            // pg_terminate_backend only signals; the backend leaves the list once it has ended (hang guard of its own).
            var gone = false
            let goneUntil = clock.now + .seconds(120)
            while !gone, clock.now < goneUntil {
                gone = try await observer.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int4", [.int64(pid)])[0].int64(at: 0) == 0
                if !gone { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(gone, "the holder's backend is gone")
            // The old owner, reconnecting, is fenced off.
            await LeaseFencingTests().expectFenced {
                try await Self.retrying { try await LeaseFencingTests().write(old, consumer, Array(facts.prefix(5)), epoch: 5) }
            }
        } catch {
            _ = try? await observer.query("SELECT pg_terminate_backend($1::int4)", [.int64(pid)])
            holder.close()
            observer.close()
            await fixture.drop()
            throw error
        }
        holder.close()
        observer.close()
        await fixture.drop()
    }

    /// Runs a fence or batch write again after a failure, as ingest does with any failure: a session the
    /// store's own short idle timeout ended on a loaded machine, or a fence's lock wait that ran out while a
    /// terminated holder was still leaving. `.fenced` goes through at once: that is a verdict.
    static func retrying(_ body: () async throws -> Void) async throws {
        for attempt in 1...5 {
            do {
                return try await body()
            } catch let error as StoreError where error.code == .fenced {
                throw error
            } catch where attempt < 5 {
                continue
            }
        }
    }
}
