import ClickHouseHTTP
import Columnstore
import Foundation
import Synchronization
import Testing
@testable import ClickHouseBackend

/// A ClickHouse tenant cutover is a sequence of steps too (keys, quarantine, then per table a delete and an
/// insert of the tenant's rows). Stopped at any point between them, it leaves a journal: no ingest loads
/// the live checkpoint, no other swap starts, and finishing it gives exactly the state an uninterrupted
/// tenant cutover gives: the tenant's rows, keys and quarantine entries the rebuilt ones, every other
/// tenant's as they were, the shadow tables and the rebuild namespace gone.
@Suite("An interrupted ClickHouse tenant cutover is finished from its journal (dev stack)")
struct InterruptedTenantCutoverTests {
    typealias Swaps = InterruptedSwapTests
    static let tenant = "t1", other = "t2"
    static let liveCheckpoint: UInt64 = 10

    /// The stops are spread over shards, each with a database of its own, run in parallel (one database
    /// for all took 3.5 minutes).
    static let shards = 4

    @Test("stopped at every fault point, finishing gives the uninterrupted tenant cutover's state", arguments: 0..<shards)
    func everyFaultPoint(shard: Int) async throws {
        let reference = try await StoreFixture.make(.clickhouse, prefix: "tenantref")
        let referenceClient = try ClickHouseClient(dsn: reference.dsn)
        try await Self.seed(referenceClient)
        let before = try await Self.state(referenceClient)
        let passed = Mutex<[String]>([])
        try await ClickHouseRebuilder(client: referenceClient, schema: .ordersAnalytics, faultPoint: { point in passed.withLock { $0.append(point) } })
            .cutoverTenant(Self.tenant, generation: Swaps.generation, liveCheckpoint: Self.liveCheckpoint)
        let expected = try await Self.state(referenceClient)
        Self.expectMeaning(before: before, after: expected)
        // Each point once, in order: a step the rebuilder retried after a transient error (a loaded CI
        // machine) passes its points again, which says nothing about the cutover's points.
        let points = passed.withLock { $0 }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let tables = ProjectionSchema.ordersAnalytics.tables.count
        // Before and after each of 2 + tables + 1 steps, and within each table's step.
        #expect(points.count == 2 * (3 + tables) + 2 * tables, "\(points)")
        await reference.drop()

        let (fixture, client) = try await Swaps.stopFixture(prefix: "tenantstop")
        var clean = true
        for (index, point) in points.enumerated() where index % Self.shards == shard {
            try await Swaps.reset(client)
            try await Self.seed(client)
            let stopping = ClickHouseRebuilder(client: client, schema: .ordersAnalytics, faultPoint: { if $0 == point { throw Swaps.Stop() } }, finishRetries: [])
            do {
                try await stopping.cutoverTenant(Self.tenant, generation: Swaps.generation, liveCheckpoint: Self.liveCheckpoint)
                Issue.record("\(point): the tenant cutover did not stop")
            } catch let error as RebuildError {
                #expect(error.code == .cutoverInterrupted, "\(point): \(error)")
                #expect(error.description.contains("rebuild --tenant t1 --cutover"), "\(point): names the command that finishes it: \(error)")
            }
            let rebuilder = ClickHouseRebuilder(client: client, schema: .ordersAnalytics)
            #expect(try await rebuilder.unfinishedSwap(Swaps.generation)?.contains("tenant cutover") == true, "\(point): the journal is there")
            await #expect(throws: StoreError.self, "\(point): loading the live checkpoint is refused") {
                _ = try await ClickHouseProjectionStore(client: client, schema: .ordersAnalytics).loadCheckpoint(Swaps.live)
            }
            // Neither a whole cutover nor another tenant's starts over it.
            for attempt in ["cutover", "tenant"] {
                do {
                    if attempt == "cutover" {
                        try await rebuilder.cutover(Swaps.generation, keepPrevious: false)
                    } else {
                        try await rebuilder.cutoverTenant(Self.other, generation: Swaps.generation, liveCheckpoint: Self.liveCheckpoint)
                    }
                    Issue.record("\(point): a \(attempt) started over an unfinished tenant cutover")
                } catch let error as RebuildError {
                    #expect(error.code == .cutoverInterrupted, "\(point): \(error)")
                }
            }
            #expect(try await rebuilder.finishInterruptedSwap(Swaps.generation) != nil, "\(point)")
            let state = try await Self.state(client)
            #expect(state == expected, "\(point): the finished tenant cutover differs from the uninterrupted one")
            #expect(try await rebuilder.unfinishedSwap(Swaps.generation) == nil)
            let checkpoint = try await ClickHouseProjectionStore(client: client, schema: .ordersAnalytics).loadCheckpoint(Swaps.live)
            #expect(checkpoint.committed == Self.liveCheckpoint, "\(point): the live checkpoint stays")
            clean = clean && state == expected
        }
        if clean { await fixture.drop() }
    }

    /// What a tenant cutover means, checked on the reference run itself.
    static func expectMeaning(before: State, after: State) {
        let p = Swaps.projection, r = p + RebuildGeneration.rebuildSuffix
        for table in ProjectionSchema.ordersAnalytics.tables.map(\.name) {
            #expect(after.rows[table + "/" + tenant] == before.rows[table + RebuildGeneration.rebuildSuffix + "/" + tenant], "\(table): the tenant's rows are the rebuilt ones")
            #expect(after.rows[table + "/" + other] == before.rows[table + "/" + other], "\(table): the other tenant's rows stay")
            #expect(!(before.rows[table + "/" + tenant] ?? []).isEmpty && before.rows[table + "/" + tenant] != after.rows[table + "/" + tenant], "\(table): rows changed")
            #expect(after.tables.contains(table) && !after.tables.contains(table + RebuildGeneration.rebuildSuffix), "\(table): the shadow is dropped")
        }
        #expect(after.checkpoints == before.checkpoints.filter { $0[0] == p }, "only the live checkpoint is left, unchanged")
        // The rebuilt key (sequence 12, above the live checkpoint 10) is copied at sequence 0; the other tenant's stays.
        #expect(Set(after.seenKeys) == Set([[p, tenant, "rebuilt-key", "0"], [p, other, "other-live-key", "10"]]), "\(after.seenKeys)")
        #expect(Set(after.quarantine) == Set([[p, tenant, "8", "durable-a"], [p, other, "6", "durable-a"]]), "\(after.quarantine)")
        #expect(!after.seenKeys.contains { $0[0] == r } && !after.quarantine.contains { $0[0] == r })
        #expect(after.journal == "done")
    }

    // MARK: - Fixture

    /// Live and shadow tables with rows of both tenants (ClickHouse's `generateRandom`, fixed seeds: the
    /// reference and every stop get the same rows), and internal rows in the live and rebuild namespaces.
    static func seed(_ client: ClickHouseClient) async throws {
        for (index, table) in ProjectionSchema.ordersAnalytics.tables.enumerated() {
            // Without the retention TTL: random timestamps years in the past would expire on the cutover's
            // insert (as they should), and the rows compared would be the TTL's work, not the cutover's.
            let ttl = try await client.query(
                "SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = {t:String} AND position(engine_full, ' TTL ') > 0 FORMAT TabSeparated",
                parameters: ["t": table.name]).text.trimmingCharacters(in: .whitespacesAndNewlines)
            if ttl == "1" { try await client.execute("ALTER TABLE \(table.name) REMOVE TTL") }
            try await client.execute("CREATE TABLE \(table.name)\(RebuildGeneration.rebuildSuffix) AS \(table.name)")
            let structure = try await client.query(
                "SELECT arrayStringConcat(groupArray(concat('`', name, '` ', type)), ', ') FROM (SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {t:String} ORDER BY position) FORMAT TabSeparatedRaw",
                parameters: ["t": table.name]).text.trimmingCharacters(in: .whitespacesAndNewlines)
                .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
            let tenantColumn = try StateHashLayout(table: table).tenantColumn.name
            for (suffix, tenant, seed) in [("", tenant, 1), ("", other, 2), (RebuildGeneration.rebuildSuffix, tenant, 3), (RebuildGeneration.rebuildSuffix, other, 4)] {
                // Few distinct keys, so latest tables hold versions of one key in both tables.
                try await client.execute(
                    """
                    INSERT INTO \(table.name)\(suffix) SELECT * REPLACE ({t:String} AS `\(tenantColumn)`)
                    FROM generateRandom('\(structure)', \(100 * index + seed), 8, 2) LIMIT 20
                    """, parameters: ["t": tenant])
            }
        }
        let p = Swaps.projection, r = p + RebuildGeneration.rebuildSuffix
        for (namespace, consumer, last) in [(p, "durable-a", 10), (r, "durable-a" + RebuildGeneration.rebuildSuffix, 12)] {
            try await client.execute(
                """
                INSERT INTO _projection_checkpoints (projection, consumer, partition, first_sequence, last_sequence, state, lease_epoch, version, updated_at)
                SELECT {p:String}, {c:String}, 0, {l:UInt64}, {l:UInt64}, 'after', 1, {v:UInt64}, now64(3)
                """, parameters: ["p": namespace, "c": consumer, "l": String(last), "v": String(2 * last + 1)])
        }
        for (namespace, tenant, key, sequence) in [(p, tenant, "live-key", 9), (p, other, "other-live-key", 10), (r, tenant, "rebuilt-key", 12), (r, other, "other-rebuilt-key", 11)] {
            try await client.execute(
                """
                INSERT INTO _projection_seen_keys (projection, fact_type, tenant_id, idempotency_key, stream_sequence, seen_at, batch, partition)
                SELECT {p:String}, 'orders.order_placed.v1', {t:String}, {k:String}, {s:UInt64}, now64(3), '', 0
                """, parameters: ["p": namespace, "t": tenant, "k": key, "s": String(sequence)])
        }
        for (namespace, tenant, sequence, consumer) in [(p, tenant, 7, "durable-a"), (p, other, 6, "durable-a"), (r, tenant, 8, "durable-a__rebuild"), (r, other, 5, "durable-a__rebuild")] {
            try await client.execute(
                """
                INSERT INTO _projection_quarantine (projection, stream_sequence, subject, fact_id, fact_type, tenant_id, reason, raw, headers,
                                                    quarantined_at, partition, consumer, batch_scope)
                SELECT {p:String}, {s:UInt64}, 's', 'f', 'orders.order_placed.v1', {t:String}, 'invalid_value: x', 'raw', '{}', now64(3), 0, {c:String}, ''
                """, parameters: ["p": namespace, "s": String(sequence), "t": tenant, "c": consumer])
        }
    }

    struct State: Equatable {
        /// `<table>/<tenant>` → its rows as the state hash reads them (merges do not change them).
        var rows: [String: [[String]]]
        var tables: Set<String>
        var checkpoints: [[String]]
        var seenKeys: [[String]]
        var quarantine: [[String]]
        /// "done", "unfinished" or "none".
        var journal: String
    }

    static func state(_ client: ClickHouseClient) async throws -> State {
        let reader = ClickHouseStateHashReader(client: client)
        let rebuilder = ClickHouseRebuilder(client: client, schema: .ordersAnalytics)
        let names = ProjectionSchema.ordersAnalytics.tables.flatMap { [$0.name, $0.name + RebuildGeneration.rebuildSuffix] }
        let present = Set(try await rebuilder.uuids(of: names).keys)
        var rows: [String: [[String]]] = [:]
        for table in ProjectionSchema.ordersAnalytics.tables {
            for name in [table.name, table.name + RebuildGeneration.rebuildSuffix] where present.contains(name) {
                var renamed = table
                renamed.name = name
                for tenant in [tenant, other] {
                    rows[name + "/" + tenant] = try await reader.rows(of: try StateHashLayout(table: renamed), tenant: tenant).map { $0.map { "\($0)" } }
                }
            }
        }
        let namespaces = "projection LIKE 'orders-analytics%' AND projection != 'orders-analytics\(ClickHouseSwapJournal.namespaceSuffix)'"
        func read(_ sql: String) async throws -> [[String]] {
            try await client.query(sql + " FORMAT TabSeparated").text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        }
        return State(
            rows: rows, tables: present,
            checkpoints: try await read("SELECT projection, consumer, toString(last_sequence) FROM _projection_checkpoints WHERE \(namespaces) ORDER BY ALL"),
            seenKeys: try await read("SELECT projection, tenant_id, idempotency_key, toString(stream_sequence) FROM _projection_seen_keys WHERE \(namespaces) ORDER BY ALL"),
            quarantine: try await read("SELECT projection, tenant_id, toString(stream_sequence), consumer FROM _projection_quarantine WHERE \(namespaces) ORDER BY ALL"),
            journal: try await ClickHouseRebuilder.journal(of: Swaps.projection, client: client).map { $0.isDone ? "done" : "unfinished" } ?? "none")
    }
}
