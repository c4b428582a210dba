import ClickHouseHTTP
import Columnstore
import Foundation
import LibPQ
import PostgresBackend
import Testing
import StoreBackends

/// The state hash against the real stores of the dev stack: the same logical rows written into a
/// Postgres schema and ClickHouse databases in different physical shapes must hash the same, and any
/// one change must show in exactly the tenant it touches.
@Suite("StateHash against the dev stack", .serialized)
struct StateHashTests {
    static let schema = ProjectionSchema.ordersAnalytics

    @Test("Postgres reads a tenant through a cursor in pages of any size: the same digests as ClickHouse's whole answer, and in pages of pageRows")
    func postgresPages() async throws {
        try await Self.withDataset { postgres, clickhouse in
            let reference = try await Self.hash(clickhouse)
            for pageRows in [1, 2, 3, 5_000] {
                #expect(try await Self.hash(postgres, pageRows: pageRows) == reference, "pages of \(pageRows)")
            }
            // Each store's own order is the hash's: the pages stream without falling back to memory.
            for fixture in [postgres, clickhouse] {
                let reader = try StoreBackends.stateHashReader(store: fixture.kind, dsn: fixture.dsn)
                let fallbacks = Counter()
                let tables = try await StateHash(schema: Self.schema, reader: reader, pageRows: 2) { _, _ in fallbacks.add() }.compute()
                #expect(tables == reference, "\(fixture.kind)")
                #expect(fallbacks.value == 0, "\(fixture.kind)")
                await reader.close()
            }
            // The Postgres reader's pages themselves: at most pageRows each, every row once, one reader
            // for all tables and tenants (each cursor's transaction ended: the connection takes the next).
            let reader = PostgresStateHashReader(dsn: postgres.dsn)
            do {
                for layout in try StateHashLayout.layouts(of: Self.schema) {
                    for tenant in try await reader.tenants(of: layout) {
                        var sizes: [Int] = []
                        try await reader.pages(of: layout, tenant: tenant, pageRows: 2) { sizes.append($0.count) }
                        let whole = try await reader.rows(of: layout, tenant: tenant)
                        #expect(sizes.allSatisfy { $0 >= 1 && $0 <= 2 } && sizes.reduce(0, +) == whole.count, "\(layout.table.name)/\(tenant): \(sizes)")
                    }
                }
            } catch {
                await reader.close()
                throw error
            }
            await reader.close()
        }
    }

    /// Both stores holding `StateHashDataset`: Postgres merged, ClickHouse in parts.
    static func withDataset(_ body: (_ postgres: StoreFixture, _ clickhouse: StoreFixture) async throws -> Void) async throws {
        try await with([.postgres, .clickhouse]) { fixtures in
            let (postgres, clickhouse) = (fixtures[0], fixtures[1])
            let connection = try await PostgresConnection.connect(dsn: postgres.dsn)
            defer { connection.close() }
            // _version is a stream sequence: a rebuild from another stream numbers the same facts differently.
            try await StateHashDataset.insertMerged(into: connection, versionOffset: 1_000_000)
            try await StateHashDataset.insertParts(into: Self.clickhouse(clickhouse))
            try await body(postgres, clickhouse)
        }
    }

    /// Fixtures dropped whatever the body does.
    static func with(_ kinds: [StoreKind], _ body: ([StoreFixture]) async throws -> Void) async throws {
        var fixtures: [StoreFixture] = []
        do {
            for kind in kinds { fixtures.append(try await StoreFixture.make(kind, prefix: "hash")) }
            try await body(fixtures)
        } catch {
            for fixture in fixtures { await fixture.drop() }
            throw error
        }
        for fixture in fixtures { await fixture.drop() }
    }

    static func hash(_ fixture: StoreFixture, table: String? = nil, tenant: String? = nil, pageRows: Int = 5_000) async throws -> [TableStateHash] {
        let reader = try StoreBackends.stateHashReader(store: fixture.kind, dsn: fixture.dsn)
        do {
            let tables = try await StateHash(schema: schema, reader: reader, pageRows: pageRows).compute(table: table, tenant: tenant)
            await reader.close()
            return tables
        } catch {
            await reader.close()
            throw error
        }
    }

    static func tenantDigests(_ tables: [TableStateHash]) -> [String: String] {
        var result: [String: String] = [:]
        for table in tables {
            for tenant in table.tenants { result["\(table.table)/\(tenant.tenant)"] = tenant.digest }
        }
        return result
    }

    static func clickhouse(_ fixture: StoreFixture) throws -> ClickHouseClient { try ClickHouseClient(dsn: fixture.dsn) }

    static func activeParts(_ fixture: StoreFixture, _ table: String) async throws -> Int {
        let rows = try await fixture.rows(
            "SELECT count() FROM system.parts WHERE database = currentDatabase() AND table = '\(table)' AND active", postgres: "")
        return Int(rows.first?.first ?? "0") ?? 0
    }

    @Test("Postgres and ClickHouse hash the same logical rows alike, though ClickHouse holds them unmerged and Postgres with other versions")
    func crossStore() async throws {
        try await Self.withDataset { postgres, clickhouse in
            let p = try await Self.hash(postgres)
            let c = try await Self.hash(clickhouse)
            #expect(p.map(\.table) == ["orders", "daily_sales"])
            #expect(p.map(\.digest) == c.map(\.digest))
            #expect(Self.tenantDigests(p) == Self.tenantDigests(c))
            #expect(p.map(\.rowCount) == [StateHashDataset.orders.count, StateHashDataset.sales.count - 1])
            #expect(c.map(\.rowCount) == p.map(\.rowCount))
            #expect(p[0].tenants.map(\.tenant) == StateHashDataset.tenants.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
    }

    @Test("ClickHouse: insertion order and the split into parts do not matter, before and after OPTIMIZE FINAL")
    func partsAndOrder() async throws {
        try await Self.with([.clickhouse, .clickhouse]) { fixtures in
            let (split, whole) = (fixtures[0], fixtures[1])
            // No background merges until OPTIMIZE: every block stays its own part.
            for table in ["orders", "daily_sales"] { try await Self.clickhouse(split).execute("SYSTEM STOP MERGES \(table)") }
            try await StateHashDataset.insertParts(into: Self.clickhouse(split))
            try await StateHashDataset.insertMerged(into: Self.clickhouse(whole))
            #expect(try await Self.activeParts(split, "orders") == StateHashDataset.orders.count + StateHashDataset.staleOrders.count)
            #expect(try await Self.activeParts(split, "daily_sales") == StateHashDataset.salesParts.count)
            // Unmerged: stale versions and split days are physically there.
            let rawOrders = try await split.rows("SELECT count() FROM orders", postgres: "").first?.first
            #expect(rawOrders == String(StateHashDataset.orders.count + StateHashDataset.staleOrders.count))
            let rawSales = try await split.rows("SELECT count() FROM daily_sales", postgres: "").first?.first
            #expect(rawSales == String(StateHashDataset.salesParts.count))

            let reference = try await Self.hash(whole)
            let before = try await Self.hash(split)
            #expect(before.map(\.digest) == reference.map(\.digest))
            #expect(Self.tenantDigests(before) == Self.tenantDigests(reference))

            for fixture in [split, whole] {
                for table in ["orders", "daily_sales"] {
                    try await Self.clickhouse(fixture).execute("SYSTEM START MERGES \(table)")
                    try await Self.clickhouse(fixture).execute("OPTIMIZE TABLE \(table) FINAL")
                }
            }
            #expect(try await Self.activeParts(split, "daily_sales") == 1)
            let after = try await Self.hash(split)
            #expect(after.map(\.digest) == reference.map(\.digest))
            #expect(Self.tenantDigests(after) == Self.tenantDigests(reference))
            #expect(try await Self.hash(whole).map(\.digest) == reference.map(\.digest))
        }
    }

    @Test("changing one value changes that tenant's digest only, on either store, and both agree on the new state")
    func oneChange() async throws {
        try await Self.with([.postgres, .clickhouse]) { fixtures in
            let (postgres, clickhouse) = (fixtures[0], fixtures[1])
            let connection = try await PostgresConnection.connect(dsn: postgres.dsn)
            defer { connection.close() }
            try await StateHashDataset.insertMerged(into: connection)
            let client = try Self.clickhouse(clickhouse)
            try await StateHashDataset.insertParts(into: client)
            let before = Self.tenantDigests(try await Self.hash(postgres))
            let tablesBefore = try await Self.hash(postgres).map(\.digest)

            // One order amount of acme.
            try await connection.query("UPDATE orders SET amount_cents = amount_cents + 1 WHERE tenant_id = $1 AND order_id = $2",
                                       [.text("acme"), .text("o3")])
            var changed = try #require(StateHashDataset.orders.first { $0.tenant == "acme" && $0.orderID == "o3" })
            changed.amountCents += 1
            changed.version += 1_000
            try await StateHashDataset.insert([StateHashDataset.json(changed)], into: "orders", client: client)

            let p = try await Self.hash(postgres)
            let c = try await Self.hash(clickhouse)
            let after = Self.tenantDigests(p)
            #expect(Set(before.keys) == Set(after.keys))
            for key in before.keys {
                if key == "orders/acme" {
                    #expect(after[key] != before[key], "\(key)")
                } else {
                    #expect(after[key] == before[key], "\(key)")
                }
            }
            #expect(p.map(\.digest) != tablesBefore)
            #expect(p[1].digest == tablesBefore[1])
            #expect(Self.tenantDigests(c) == after)

            // One more part for one day of the hostile tenant on ClickHouse: only its daily_sales entry moves.
            let sale = StateHashDataset.Sale(tenant: StateHashDataset.hostile, day: "2026-11-02", orderCount: 0, grossCents: 0, refundCents: 7)
            try await StateHashDataset.insert([StateHashDataset.json(sale)], into: "daily_sales", client: client)
            let moved = Self.tenantDigests(try await Self.hash(clickhouse))
            for key in after.keys {
                if key == "daily_sales/\(StateHashDataset.hostile)" {
                    #expect(moved[key] != after[key], "\(key)")
                } else {
                    #expect(moved[key] == after[key], "\(key)")
                }
            }
        }
    }

    @Test("--tenant and --table scope the hash; a tenant's digest is the same alone or among all")
    func scoping() async throws {
        try await Self.with([.postgres, .clickhouse]) { fixtures in
            let connection = try await PostgresConnection.connect(dsn: fixtures[0].dsn)
            defer { connection.close() }
            try await StateHashDataset.insertMerged(into: connection)
            try await StateHashDataset.insertParts(into: Self.clickhouse(fixtures[1]))

            for fixture in fixtures {
                let all = try await Self.hash(fixture)
                let digests = Self.tenantDigests(all)
                for tenant in StateHashDataset.tenants {
                    let scoped = try await Self.hash(fixture, tenant: tenant)
                    #expect(scoped.map(\.table) == ["orders", "daily_sales"])
                    #expect(scoped.allSatisfy { $0.tenants.map(\.tenant) == [tenant] })
                    for table in scoped {
                        #expect(table.tenants[0].digest == digests["\(table.table)/\(tenant)"], "\(fixture.kind) \(table.table)/\(tenant)")
                    }
                    #expect(scoped[0].tenants[0].rowCount == StateHashDataset.orders.filter { $0.tenant == tenant }.count)
                }
                // A tenant that is a prefix of another, or matches in SQL only by injection, has no rows.
                for nobody in ["acm", "' OR '1'='1", "nobody"] {
                    let none = try await Self.hash(fixture, table: "orders", tenant: nobody)
                    #expect(none.count == 1)
                    #expect(none[0].tenants.map(\.rowCount) == [0])
                    #expect(none[0].tenants[0].digest == SHA256.hexDigest(Array(none[0].layout.header.utf8)))
                }
                let sales = try await Self.hash(fixture, table: "daily_sales")
                #expect(sales.map(\.table) == ["daily_sales"])
                #expect(sales[0].digest == all[1].digest)
                let error = try await #require(throws: StateHashError.self) { try await Self.hash(fixture, table: "nope") }
                #expect(error.code == .unknownTable)
            }
        }
    }

    @Test("projection-migrate hash prints the same digests as text and JSON, scoped by flags, without the password")
    func command() async throws {
        try await Self.with([.postgres, .clickhouse]) { fixtures in
            let connection = try await PostgresConnection.connect(dsn: fixtures[0].dsn)
            defer { connection.close() }
            try await StateHashDataset.insertMerged(into: connection)
            try await StateHashDataset.insertParts(into: Self.clickhouse(fixtures[1]))
            let expected = try await Self.hash(fixtures[0])

            for fixture in fixtures {
                let environment = ["PROJECTION_STORE_KIND": fixture.kind == .clickhouse ? "clickhouse" : "postgres_table",
                                   "PROJECTION_STORE_DSN": fixture.dsn]
                let text = try await MigrateProcess.run(["hash"], environment: environment)
                #expect(text.status == 0, "\(text.all)")
                MigrateJobTests.expectNoPassword(text)
                for table in expected {
                    #expect(text.output.contains("table \(table.table): \(table.rowCount) rows, \(table.tenants.count) tenants, sha256 \(table.digest)"), "\(text.output)")
                    for tenant in table.tenants { #expect(text.output.contains(tenant.digest)) }
                }
                #expect(text.output.contains("not hashed: _version"))

                let json = try await MigrateProcess.run(["hash", "--json", "--table", "orders", "--tenant", StateHashDataset.hostile], environment: environment)
                #expect(json.status == 0, "\(json.all)")
                MigrateJobTests.expectNoPassword(json)
                let document = try JSONParser.parse(json.output)
                guard case .array(let tables)? = document["tables"] else { Issue.record("no tables in \(json.output)"); return }
                #expect(tables.count == 1)
                guard case .array(let tenants)? = tables[0]["tenants"] else { Issue.record("no tenants in \(json.output)"); return }
                #expect(tenants.count == 1)
                #expect(tenants[0]["tenant"] == .string(StateHashDataset.hostile))
                let digest = expected[0].tenants.first { $0.tenant == StateHashDataset.hostile }?.digest
                #expect(tenants[0]["sha256"] == digest.map(JSONValue.string))
                #expect(document["canonical_form"] == .string(StateHashCanonicalForm.version))

                let unknown = try await MigrateProcess.run(["hash", "--table", "nope"], environment: environment)
                #expect(unknown.status == 1)
                #expect(unknown.error.contains("nope"))
                MigrateJobTests.expectNoPassword(unknown)
            }
            // A store that cannot be reached: an error naming the redacted DSN, exit 1.
            let down = try await MigrateProcess.run(["hash"], environment: [
                "PROJECTION_STORE_KIND": "postgres_table",
                "PROJECTION_STORE_DSN": "postgresql://projection:projection@127.0.0.1:1/projection?connect_timeout=2",
            ])
            #expect(down.status == 1, "\(down.all)")
            #expect(down.error.contains("projection:***@"), "\(down.all)")
            MigrateJobTests.expectNoPassword(down)
            let malformed = try await MigrateProcess.run(["hash"], environment: [
                "PROJECTION_STORE_KIND": "clickhouse", "PROJECTION_STORE_DSN": "projection:projection@nowhere",
            ])
            #expect(malformed.status == 2, "\(malformed.all)")
            MigrateJobTests.expectNoPassword(malformed)
        }
    }
}

/// A count shared with a `@Sendable` callback.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
