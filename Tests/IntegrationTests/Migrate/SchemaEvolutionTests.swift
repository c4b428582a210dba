import Columnstore
import Foundation
import Testing

/// Issue #20 part 3: schema evolution proven with data. Each step of `EvolutionProjection` runs on both stores
/// with the real executables (generate, apply, ingest, rebuild, hash), and every row is compared with the model
/// of `EvolutionFacts`: apply N-1, ingest, generate N, apply, ingest more facts (some feed only the new parts).
/// `changeKindsCovered` fails when the planner gains a change kind no step emits.
@Suite("Schema evolution proven with data", .serialized)
struct SchemaEvolutionTests {
    /// The named scenarios: step N upgrades `evo` from version N-1 to N.
    static let steps: [Int: String] = [
        2: "additive: nullable column, column with default, codec, TTL, new fact binding, new measures, new table",
        3: "sort key of views: Postgres replaces its index; ClickHouse recreates the table (destructive, rebuilt)",
        4: "destructive: drop column, change column type, drop table, an aggregate change that recreates a table "
            + "(refused, then generated, applied and rebuilt)",
    ]

    static func compile() throws -> (directory: URL, sets: [Int: String]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(DevStack.uniqueName("evo-protos"))
        return (directory, try EvolutionProjection.compile(into: directory))
    }

    /// The change kinds the planner emits for step `version` on `target`.
    static func kinds(step version: Int, target: DDLTarget, sets: [Int: String]) throws -> Set<SchemaChange.Kind> {
        let old = try ProjectionSchema(descriptorSetAt: sets[version - 1]!)
        let new = try ProjectionSchema(descriptorSetAt: sets[version]!)
        let plan = try MigrationPlanner.plan(
            schema: new, target: target, existingFiles: [], lock: SchemaSnapshot(old, target: target), allowDestructive: true)
        return Set(plan.changes.map(\.kind))
    }

    @Test("every change kind the planner can emit is emitted by a named evolution step (a new kind fails here)")
    func changeKindsCovered() throws {
        let (directory, sets) = try Self.compile()
        defer { try? FileManager.default.removeItem(at: directory) }
        var covered: [SchemaChange.Kind: [String]] = [:]
        for (version, name) in Self.steps.sorted(by: { $0.key < $1.key }) {
            for target in [DDLTarget.clickhouse(cluster: nil), .postgres] {
                for kind in try Self.kinds(step: version, target: target, sets: sets) {
                    covered[kind, default: []].append("v\(version - 1)→v\(version) on \(target.store.rawValue) (\(name))")
                }
            }
        }
        // Kinds only one store's DDL can express; every other kind must be covered on both stores.
        let onlyOn: [SchemaChange.Kind: StoreKind] = [.changeCodec: .clickhouse, .changeTTL: .clickhouse, .replaceSortIndex: .postgres]
        for kind in SchemaChange.Kind.allCases {
            for store in onlyOn[kind].map({ [$0] }) ?? [.clickhouse, .postgres] {
                #expect(covered[kind]?.contains { $0.contains("on \(store.rawValue) ") } == true,
                        "no evolution step emits change kind '\(kind)' on \(store.rawValue): add one to EvolutionProjection and SchemaEvolutionTests")
            }
        }
        // What each step must show, so the scenario names stay true.
        let ch = try Self.kinds(step: 2, target: .clickhouse(cluster: nil), sets: sets)
        let pg = try Self.kinds(step: 2, target: .postgres, sets: sets)
        #expect(ch == [.createTable, .addNullableColumn, .addColumnWithDefault, .addMeasure, .changeCodec, .changeTTL])
        #expect(pg == [.createTable, .addNullableColumn, .addColumnWithDefault, .addMeasure], "Postgres has no codecs or TTLs")
        #expect(ch.union(pg).allSatisfy { !$0.isDestructive }, "step 2 is additive")
        #expect(try Self.kinds(step: 3, target: .postgres, sets: sets) == [.replaceSortIndex])
        #expect(try Self.kinds(step: 3, target: .clickhouse(cluster: nil), sets: sets) == [.recreateTable])
        for target in [DDLTarget.clickhouse(cluster: nil), .postgres] {
            #expect(try Self.kinds(step: 4, target: target, sets: sets) == [.dropColumn, .changeColumnType, .dropTable, .recreateTable], "\(target)")
        }
        // A new fact binding is not a DDL change: v2 binds a second fact type that feeds an existing table.
        let v1 = try ProjectionSchema(descriptorSetAt: sets[1]!)
        let v2 = try ProjectionSchema(descriptorSetAt: sets[2]!)
        #expect(v1.bindings.map(\.factType) == ["evo.item_viewed.v1"])
        #expect(v2.bindings.map(\.factType) == ["evo.item_viewed.v1", "evo.item_purchased.v1"])
        // Every kind's destructiveness agrees with the change's own.
        #expect(SchemaChange.Kind.allCases.filter(\.isDestructive) == [.dropTable, .recreateTable, .dropColumn, .changeColumnType])
    }

    @Test("v1 → v4 on both stores: every step's rows exact, old rows keep their defaults, both stores hash alike")
    func evolution() async throws {
        let (directory, sets) = try Self.compile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let name = DevStack.uniqueName("evo")
        let facts = EvolutionFacts(subject: name)
        // The two stores run concurrently (they share nothing but the machine): the suite stays short.
        async let clickhouse = Self.walk(.clickhouse, sets: sets, facts: facts, stream: name.uppercased() + "_CH")
        async let postgres = Self.walk(.postgres, sets: sets, facts: EvolutionFacts(subject: name + "pg"), stream: name.uppercased() + "_PG")
        let (ch, pg) = try await (clickhouse, postgres)
        for version in [2, 4] {
            #expect(ch[version] != nil && ch[version] == pg[version], "state hashes of v\(version) differ: \(String(describing: ch[version])) vs \(String(describing: pg[version]))")
            #expect(ch[version]?.keys.sorted() == (version == 2 ? ["item_totals", "purchases", "views"] : ["item_totals", "views"]))
        }
    }

    /// Walks one store from v1 to v4; returns the state hashes after v2 and v4.
    static func walk(_ kind: StoreKind, sets: [Int: String], facts: EvolutionFacts, stream: String) async throws -> [Int: [String: [String: String]]] {
        var hashes: [Int: [String: [String: String]]] = [:]
        do {
            try await walkSteps(kind, sets: sets, facts: facts, stream: stream, hashes: &hashes)
        } catch {
            await FactPublisher.deleteStream(stream)
            throw error
        }
        await FactPublisher.deleteStream(stream)
        return hashes
    }

    private static func walkSteps(
        _ kind: StoreKind, sets: [Int: String], facts: EvolutionFacts, stream: String, hashes: inout [Int: [String: [String: String]]]
    ) async throws {
        var result: [Int: [String: [String: String]]] = [:]
        try await MigrationSandbox.with(kind, files: [:]) { sandbox in
            let run = EvolutionRun(sandbox: sandbox, descriptorSets: sets, facts: facts, stream: stream)

            // v1: generate, apply, ingest phase 1.
            let initial = try await run.generate(1)
            #expect(initial.status == 0, "\(initial.all)")
            try await expectApplied(run, version: 1)
            let identity1 = try await run.ingest(1, phase: 1)
            #expect(identity1 == run.lockHash, "\(kind): the v1 ingest's /version schema_hash is the applied lock's")
            try await run.expectExact(through: 1, version: 1, "v1")

            // v2, additive: generate (the store keeps v1's rows), apply, ingest phase 2 (with facts only v2 binds).
            let additive = try await run.generate(2)
            #expect(additive.status == 0, "\(additive.all)")
            #expect(try run.migrationNames().count == 2, "\(kind): one v2 migration")
            try await expectApplied(run, version: 2)
            // Old rows, before any v2 fact: NULL in the nullable column, 0 in the column with default and the new measures.
            try await run.expectExact(through: 1, version: 2, "v2 applied, v1 rows")
            let identity2 = try await run.ingest(2, phase: 2)
            #expect(identity2 == run.lockHash)
            try await run.expectExact(through: 2, version: 2, "v2")
            if kind == .clickhouse {
                let create = try await sandbox.rows("SELECT create_table_query FROM system.tables WHERE database = currentDatabase() AND name = 'views'").first?.first ?? ""
                #expect(create.contains("CODEC(ZSTD(5))"), "\(create)")
                #expect(create.contains("toIntervalDay(7300)"), "\(create)")
            }
            result[2] = try await run.stateHash(2)

            // v3: a sort key change.
            switch kind {
            case .postgres:
                let index = try await run.generate(3)
                #expect(index.status == 0, "\(index.all)")
                try await expectApplied(run, version: 3)
                let definition = try await sandbox.rows("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'views_sort_idx'")
                #expect(definition.first?.first?.contains("(tenant_id, item_id, view_id)") == true, "\(definition)")
                _ = try await run.ingest(3, phase: 3)
            case .clickhouse:
                try await destructiveStep(run, version: 3, expecting: ["ORDER BY changes"])
                let create = try await sandbox.rows("SELECT sorting_key FROM system.tables WHERE database = currentDatabase() AND name = 'views'")
                #expect(create.first?.first == "tenant_id, item_id, view_id")
            }
            try await run.expectExact(through: 3, version: 3, "v3")

            // v4: destructive on both stores.
            try await destructiveStep(
                run, version: 4, expecting: ["drop column 'referrer'", "column 'position'", "table 'purchases': drop", "aggregate of column 'revenue_cents'"])
            try await run.expectExact(through: 4, version: 4, "v4")
            #expect(try await sandbox.columnNames("views") == ["tenant_id", "view_id", "viewed_at", "item_id", "session_id", "position"])
            result[4] = try await run.stateHash(4)

            let status = try await sandbox.migrate("status")
            #expect(status.status == 0, "\(status.all)")
            #expect(status.output.contains("schema hash \(run.lockHash)"), "\(status.all)")
            #expect(status.output.contains("schema.lock.json matches the store"), "\(status.all)")
        }
        hashes = result
    }

    /// `apply` succeeds and the ledger then records the hash of the folder's lock, which is the `BuildInfo`
    /// schema hash of projection `version`: what `/version` of an ingest or query running it reports.
    static func expectApplied(_ run: EvolutionRun, version: Int) async throws {
        let apply = try await run.sandbox.migrate("apply")
        #expect(apply.status == 0, "\(run.kind) v\(version) apply: \(apply.all)")
        let schema = try ProjectionSchema(descriptorSetAt: run.descriptorSets[version]!)
        let expected = BuildInfo.schemaHash(schema, store: run.kind)
        #expect(run.lockHash == expected, "\(run.kind) v\(version): schema.lock.json is the BuildInfo schema hash")
        let recorded = try await run.ledgerSchemaHash()
        #expect(recorded?.hash == expected, "\(run.kind) v\(version): ledger schema hash")
        #expect(recorded?.file == (try? run.migrationNames())?.last, "\(run.kind) v\(version): recorded with the last file")
    }

    /// A destructive step: refused without `--allow-destructive` (naming the changes, writing nothing); with it,
    /// generated and applied, then the documented rebuild path (`rebuild --descriptor-set vN --cutover
    /// --live-stopped`, the ingest stopped) replays the stream into the new tables; then the phase's facts.
    static func destructiveStep(_ run: EvolutionRun, version: Int, expecting reasons: [String]) async throws {
        let before = try run.migrationNames()
        let lock = run.lockHash
        let refused = try await run.generate(version)
        #expect(refused.status != 0, "\(run.kind) v\(version): \(refused.all)")
        #expect(refused.error.contains("--allow-destructive"), "\(refused.all)")
        for reason in reasons { #expect(refused.error.contains(reason), "\(run.kind) v\(version) names '\(reason)': \(refused.error)") }
        #expect(try run.migrationNames() == before, "nothing written when refused")
        #expect(run.lockHash == lock, "schema.lock.json unchanged when refused")

        let allowed = try await run.generate(version, allowDestructive: true)
        #expect(allowed.status == 0, "\(allowed.all)")
        #expect(try run.migrationNames().count == before.count + 1)
        try await expectApplied(run, version: version)
        let rebuilt = try await run.rebuild(version)
        #expect(rebuilt.status == 0, "\(run.kind) v\(version) rebuild: \(rebuilt.all)")
        // Everything so far is back, with the new mapping, before any new fact.
        try await run.expectExact(through: version - 1, version: version, "v\(version) rebuilt")
        let identity = try await run.ingest(version, phase: version)
        #expect(identity == run.lockHash)
    }
}

