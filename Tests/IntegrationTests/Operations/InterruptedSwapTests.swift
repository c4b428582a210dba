import ClickHouseHTTP
import Columnstore
import Foundation
import Synchronization
import Testing
@testable import ClickHouseBackend
import PostgresBackend

/// A ClickHouse cutover or rollback is a sequence of steps (no multi-statement transaction). Stopped at any
/// point between them (a crash, a lost connection), it leaves a journal: no ingest loads the live
/// checkpoint, no new swap starts, and finishing it gives exactly the state an uninterrupted swap gives:
/// the same table behind every name, and the same checkpoint, seen-key and quarantine rows in every
/// namespace (none twice, none lost).
@Suite("An interrupted ClickHouse swap is finished from its journal (dev stack)")
struct InterruptedSwapTests {
    static let projection = "orders-analytics"
    static let live = ConsumerID(projection: projection, consumer: "durable-a")

    static var generation: RebuildGeneration {
        var generation = RebuildGeneration(live: live)
        generation.leaseEpochs = [0: 7]
        return generation
    }

    struct Stop: Error {}

    /// Each kind of swap: a cutover keeping an older `__previous` generation (it is dropped, the replaced
    /// one kept), one without keeping, and a rollback.
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case cutoverKeeping, cutoverDropping, rollback
        var testDescription: String { rawValue }

        func run(_ rebuilder: ClickHouseRebuilder) async throws {
            switch self {
            case .cutoverKeeping: try await rebuilder.cutover(InterruptedSwapTests.generation, keepPrevious: true)
            case .cutoverDropping: try await rebuilder.cutover(InterruptedSwapTests.generation, keepPrevious: false)
            case .rollback: try await rebuilder.rollback(InterruptedSwapTests.generation)
            }
        }
    }

    @Test("stopped at every fault point, finishing gives the uninterrupted swap's state", arguments: Kind.allCases)
    func everyFaultPoint(kind: Kind) async throws {
        // The reference: the same swap without a stop, recording every fault point it passes.
        let reference = try await StoreFixture.make(.clickhouse, prefix: "swapref")
        let seeded = try await Self.seed(reference)
        let passed = Mutex<[String]>([])
        try await kind.run(ClickHouseRebuilder(client: try ClickHouseClient(dsn: reference.dsn), schema: .ordersAnalytics,
                                               faultPoint: { point in passed.withLock { $0.append(point) } }))
        let expected = try await Self.state(reference, seeded)
        // The reference itself is checked against what the swap means, not only against its repeats.
        Self.expectMeaning(of: kind, expected)
        let points = passed.withLock { $0 }
        #expect(points.count >= 2 * (ClickHouseSwapJournal.internalSteps + ProjectionSchema.ordersAnalytics.tables.count))
        #expect(expected.journal == "done", "a finished swap leaves its journal marked done")
        await reference.drop()

        let (fixture, client) = try await Self.stopFixture(prefix: "swapstop")
        var clean = true
        for point in points {
            try await Self.reset(client)
            let seeded = try await Self.seed(fixture)
            // No retries in-process: the stop stands, as after a crash.
            let stopping = ClickHouseRebuilder(client: client, schema: .ordersAnalytics, faultPoint: { if $0 == point { throw Stop() } }, finishRetries: [])
            do {
                try await kind.run(stopping)
                Issue.record("\(point): the swap did not stop")
            } catch let error as RebuildError {
                #expect(error.code == .cutoverInterrupted, "\(point): \(error)")
            }
            let rebuilder = ClickHouseRebuilder(client: client, schema: .ordersAnalytics)
            #expect(try await rebuilder.unfinishedSwap(Self.generation) != nil, "\(point): the journal is there")
            // While unfinished: the live checkpoint does not load, and no other swap starts.
            await #expect(throws: StoreError.self, "\(point): loading the live checkpoint is refused") {
                _ = try await ClickHouseProjectionStore(client: client, schema: .ordersAnalytics).loadCheckpoint(Self.live)
            }
            do {
                try await rebuilder.cutover(Self.generation, keepPrevious: true)
                Issue.record("\(point): a new swap started over an unfinished one")
            } catch let error as RebuildError {
                #expect(error.code == .cutoverInterrupted, "\(point): \(error)")
            }
            let finished = try await rebuilder.finishInterruptedSwap(Self.generation)
            #expect(finished != nil, "\(point)")
            let state = try await Self.state(fixture, seeded)
            #expect(state == expected, "\(point): the finished swap differs from the uninterrupted one")
            #expect(try await rebuilder.unfinishedSwap(Self.generation) == nil)
            let checkpoint = try await ClickHouseProjectionStore(client: client, schema: .ordersAnalytics).loadCheckpoint(Self.live)
            #expect(checkpoint.committed == (kind == .rollback ? 3 : 12), "\(point): the incoming checkpoint is live")
            clean = clean && state == expected
        }
        if clean { await fixture.drop() }
    }

    /// One database for every stop, emptied (`reset`) and seeded again before each (a fresh one per stop took
    /// minutes): migrated, with a template of each table to recreate it from.
    static func stopFixture(prefix: String) async throws -> (StoreFixture, ClickHouseClient) {
        let fixture = try await StoreFixture.make(.clickhouse, prefix: prefix)
        let client = try ClickHouseClient(dsn: fixture.dsn)
        for table in ProjectionSchema.ordersAnalytics.tables {
            try await client.execute("CREATE TABLE \(table.name)__template AS \(table.name)")
        }
        return (fixture, client)
    }

    /// Back to a freshly migrated database: the live tables empty again, no other generation, no internal rows.
    static func reset(_ client: ClickHouseClient) async throws {
        for table in ProjectionSchema.ordersAnalytics.tables {
            for suffix in ["", RebuildGeneration.rebuildSuffix, RebuildGeneration.previousSuffix] {
                try await client.execute("DROP TABLE IF EXISTS \(table.name)\(suffix) SYNC")
            }
            try await client.execute("CREATE TABLE \(table.name) AS \(table.name)__template")
        }
        for table in ClickHouseRebuilder.internalTables { try await client.execute("TRUNCATE TABLE \(table.name)") }
    }

    /// Which generation each name and namespace holds after the swap (seeded: live `durable-a` at 10 with
    /// `live-key`, rebuild at 12 with `rebuilt-key`, previous at 3 with `old-key`).
    static func expectMeaning(of kind: Kind, _ state: State) {
        let p = projection, r = projection + RebuildGeneration.rebuildSuffix, q = projection + RebuildGeneration.previousSuffix
        let checkpoints = Set(state.checkpoints.map { [$0[0], $0[1], $0[3]] })
        let keys = Set(state.seenKeys.map { [$0[0], $0[1]] })
        let entries = Set(state.quarantine.map { [$0[0], $0[1], $0[2]] })
        var tables: [String: String] = [:]
        let (a, b, c) = ("durable-a", "durable-a__rebuild", "durable-a__previous")
        switch kind {
        case .cutoverKeeping, .cutoverDropping:
            let keep = kind == .cutoverKeeping
            #expect(checkpoints == Set([[p, a, "12"]] + (keep ? [[q, c, "10"]] : [])), "\(kind): \(checkpoints)")
            #expect(keys == Set([[p, "rebuilt-key"]] + (keep ? [[q, "live-key"]] : [])), "\(kind): \(keys)")
            #expect(entries == Set([[p, "8", a]] + (keep ? [[q, "7", c]] : [])), "\(kind): \(entries)")
            for t in ProjectionSchema.ordersAnalytics.tables.map(\.name) {
                tables[t] = t + RebuildGeneration.rebuildSuffix
                tables[t + RebuildGeneration.rebuildSuffix] = "absent"
                tables[t + RebuildGeneration.previousSuffix] = keep ? t : "absent"
            }
        case .rollback:
            #expect(checkpoints == Set([[p, a, "3"], [q, c, "10"], [r, b, "12"]]), "\(kind): \(checkpoints)")
            #expect(keys == Set([[p, "old-key"], [q, "live-key"], [r, "rebuilt-key"]]), "\(kind): \(keys)")
            #expect(entries == Set([[p, "2", a], [q, "7", c], [r, "8", b]]), "\(kind): \(entries)")
            for t in ProjectionSchema.ordersAnalytics.tables.map(\.name) {
                tables[t] = t + RebuildGeneration.previousSuffix
                tables[t + RebuildGeneration.rebuildSuffix] = t + RebuildGeneration.rebuildSuffix
                tables[t + RebuildGeneration.previousSuffix] = t
            }
        }
        #expect(state.tables == tables, "\(kind): tables")
        // The live checkpoint is raised to the swap's lease epoch (7), the fence for older writers.
        #expect(state.checkpoints.filter { $0[0] == p }.allSatisfy { $0[4] == "7" }, "\(kind): \(state.checkpoints)")
    }

    /// A failure that heals (a statement that failed once) is retried from the journal within the same run:
    /// the swap succeeds, with the uninterrupted state, and no rerun is needed.
    @Test("a step that fails once is finished in the same run")
    func healsInProcess() async throws {
        let fixture = try await StoreFixture.make(.clickhouse, prefix: "swapheal")
        let seeded = try await Self.seed(fixture)
        let failed = Mutex(false)
        let rebuilder = ClickHouseRebuilder(client: try ClickHouseClient(dsn: fixture.dsn), schema: .ordersAnalytics, faultPoint: { point in
            if point == "after step 1", !failed.withLock({ $0 }) { failed.withLock { $0 = true }; throw Stop() }
        }, finishRetries: [.milliseconds(10)])
        try await Kind.cutoverKeeping.run(rebuilder)
        #expect(failed.withLock { $0 }, "the fault was met")
        let state = try await Self.state(fixture, seeded)
        Self.expectMeaning(of: .cutoverKeeping, state)
        #expect(state.journal == "done")
        // A done journal does not stop the next swap: rolling back works at once.
        try await Kind.rollback.run(ClickHouseRebuilder(client: try ClickHouseClient(dsn: fixture.dsn), schema: .ordersAnalytics))
        #expect(try await Self.state(fixture, seeded).tables["orders"] == "orders")
        await fixture.drop()
    }

    // MARK: - Fixture

    /// Live tables, `__rebuild` and an older `__previous` generation, and internal rows in the live,
    /// rebuild and previous namespaces. Returns each table's UUID → where it started (`orders__rebuild`).
    static func seed(_ fixture: StoreFixture) async throws -> [String: String] {
        let client = try ClickHouseClient(dsn: fixture.dsn)
        for table in ProjectionSchema.ordersAnalytics.tables {
            for suffix in [RebuildGeneration.rebuildSuffix, RebuildGeneration.previousSuffix] {
                try await client.execute("CREATE TABLE \(table.name)\(suffix) AS \(table.name)")
            }
        }
        for (namespace, consumer, last, key, quarantined) in [
            (projection, "durable-a", 10, "live-key", 7),
            (projection + RebuildGeneration.rebuildSuffix, "durable-a" + RebuildGeneration.rebuildSuffix, 12, "rebuilt-key", 8),
            (projection + RebuildGeneration.previousSuffix, "durable-a" + RebuildGeneration.previousSuffix, 3, "old-key", 2),
        ] {
            try await client.execute(
                """
                INSERT INTO _projection_checkpoints (projection, consumer, partition, first_sequence, last_sequence, state, lease_epoch, version, updated_at)
                SELECT {p:String}, {c:String}, 0, {l:UInt64}, {l:UInt64}, 'after', 1, {v:UInt64}, now64(3)
                """, parameters: ["p": namespace, "c": consumer, "l": String(last), "v": String(2 * last + 1)])
            try await client.execute(
                """
                INSERT INTO _projection_seen_keys (projection, fact_type, tenant_id, idempotency_key, stream_sequence, seen_at, batch, partition)
                SELECT {p:String}, 'orders.order_placed.v1', 't1', {k:String}, {l:UInt64}, now64(3), '', 0
                """, parameters: ["p": namespace, "k": key, "l": String(last)])
            try await client.execute(
                """
                INSERT INTO _projection_quarantine (projection, stream_sequence, subject, fact_id, fact_type, tenant_id, reason, raw, headers,
                                                    quarantined_at, partition, consumer, batch_scope)
                SELECT {p:String}, {s:UInt64}, 's', 'f', 'orders.order_placed.v1', 't1', 'invalid_value: x', 'raw', '{}', now64(3), 0, {c:String}, ''
                """, parameters: ["p": namespace, "s": String(quarantined), "c": consumer])
        }
        let rebuilder = ClickHouseRebuilder(client: client, schema: .ordersAnalytics)
        let names = ProjectionSchema.ordersAnalytics.tables.flatMap { t in ["", RebuildGeneration.rebuildSuffix, RebuildGeneration.previousSuffix].map { t.name + $0 } }
        return Dictionary(uniqueKeysWithValues: try await rebuilder.uuids(of: names).map { ($0.value, $0.key) })
    }

    struct State: Equatable {
        /// Table name → the name it started as ("absent" when there is none).
        var tables: [String: String]
        var checkpoints: [[String]]
        var seenKeys: [[String]]
        var quarantine: [[String]]
        /// "done", "unfinished" or "none".
        var journal: String
    }

    static func state(_ fixture: StoreFixture, _ seeded: [String: String]) async throws -> State {
        let client = try ClickHouseClient(dsn: fixture.dsn)
        let names = ProjectionSchema.ordersAnalytics.tables.flatMap { t in ["", RebuildGeneration.rebuildSuffix, RebuildGeneration.previousSuffix].map { t.name + $0 } }
        let now = try await ClickHouseRebuilder(client: client, schema: .ordersAnalytics).uuids(of: names)
        var tables: [String: String] = [:]
        for name in names { tables[name] = now[name].map { seeded[$0] ?? "new" } ?? "absent" }
        let namespaces = "projection LIKE 'orders-analytics%' AND projection != 'orders-analytics\(ClickHouseSwapJournal.namespaceSuffix)'"
        return State(
            tables: tables,
            checkpoints: try await fixture.rows(
                "SELECT projection, consumer, toString(partition), toString(last_sequence), toString(lease_epoch), toString(version) FROM _projection_checkpoints WHERE \(namespaces) ORDER BY ALL",
                postgres: ""),
            seenKeys: try await fixture.rows(
                "SELECT projection, idempotency_key, toString(stream_sequence) FROM _projection_seen_keys WHERE \(namespaces) ORDER BY ALL", postgres: ""),
            quarantine: try await fixture.rows(
                "SELECT projection, toString(stream_sequence), consumer FROM _projection_quarantine WHERE \(namespaces) ORDER BY ALL", postgres: ""),
            journal: try await ClickHouseRebuilder.journal(of: projection, client: client).map { $0.isDone ? "done" : "unfinished" } ?? "none")
    }
}

/// `rebuild --from-sequence N` seeds the rebuild's checkpoint at N − 1 (on ClickHouse its insert once
/// carried query parameters in VALUES, which the server refuses: every such rebuild failed).
@Suite("A rebuild from a sequence starts there (dev stack)")
struct RebuildFromSequenceTests {
    @Test("prepare seeds the rebuild checkpoint", arguments: [StoreKind.postgres, .clickhouse])
    func seeded(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, prefix: "fromseq")
        let rebuilder: any ProjectionRebuilder = switch kind {
        case .clickhouse: ClickHouseRebuilder(client: try ClickHouseClient(dsn: fixture.dsn), schema: .ordersAnalytics)
        case .postgres: PostgresRebuilder(dsn: fixture.dsn, schema: .ordersAnalytics)
        }
        let generation = RebuildGeneration(live: InterruptedSwapTests.live)
        try await rebuilder.prepare(generation, fromSequence: 5)
        #expect(try await rebuilder.checkpoint(of: generation.rebuild) == 4)
        await rebuilder.close()
        await fixture.drop()
    }
}
