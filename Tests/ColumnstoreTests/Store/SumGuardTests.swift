import Columnstore
import Foundation
import Testing
@testable import ClickHouseBackend

/// The totals a ClickHouse batch checks its SUM measures against (pure; the reading is tested against
/// the real server in `SumGuardRecoveryTests` and `ValueParityTests`).
@Suite("Sum guard: SUM totals across ClickHouse batches")
struct SumGuardTests {
    static func schema(_ types: [ColumnType]) -> ProjectionSchema {
        ProjectionSchema(name: "g", storeKinds: [.clickhouse], bindings: [], tables: [
            TableSchema(name: "totals", kind: .aggregate, columns: [
                ColumnSchema(name: "tenant_id", type: .string, sources: []),
            ] + types.enumerated().map { ColumnSchema(name: "m\($0.offset)", type: $0.element, aggregate: .sum, sources: []) },
            primaryKey: ["tenant_id"]),
            TableSchema(name: "log", kind: .append, columns: [ColumnSchema(name: "tenant_id", type: .string, sources: [])], primaryKey: []),
        ])
    }

    static func fact(_ sequence: UInt64, tenant: String, _ values: [ColumnValue]) -> MappedFact {
        MappedFact(sequence: sequence, factType: "t", tenant: tenant, idempotencyKey: "k\(sequence)",
                   rows: [TableRow(tableIndex: 0, values: [.string(tenant)] + values), TableRow(tableIndex: 1, values: [.string(tenant)])])
    }

    /// The guard a batch of `facts` records when the stored totals are `totals` (per key, per column).
    static func guarded(_ schema: ProjectionSchema, _ facts: [MappedFact], totals: [String: [String]]) throws -> SumGuard {
        var entries: [SumGuard.Entry] = []
        for exposure in SumGuard.exposure(of: facts, schema: schema) {
            let keyed = exposure.keys.map { key -> [String] in
                guard case .string(let tenant) = key.values[0] else { return [] }
                return totals[tenant] ?? Array(repeating: "0", count: exposure.sumColumns.count)
            }
            entries += try SumGuard.entries(for: exposure, totals: keyed)
        }
        return SumGuard(entries: entries)
    }

    static func fold(_ schema: ProjectionSchema, _ facts: [MappedFact]) throws -> [(table: TableSchema, index: Int, rows: [[ColumnValue]])] {
        var accumulator = RowAccumulator(schema: schema)
        for fact in facts { try accumulator.add(fact) }
        return accumulator.rowsByTable
    }

    static func refusal(_ guarded: SumGuard, _ schema: ProjectionSchema, _ facts: [MappedFact]) throws -> String? {
        do {
            try guarded.check(try fold(schema, facts))
            return nil
        } catch let error as StoreError where error.code == .dataRejected {
            return error.detail
        }
    }

    @Test("ordinary totals record nothing: the intent stays as before and no key is checked")
    func nothingAtRisk() throws {
        let schema = Self.schema([.int64])
        let facts = (1...50).map { Self.fact(UInt64($0), tenant: "t\($0 % 3)", [.int64(Int64($0) * 1_000)]) }
        let guarded = try Self.guarded(schema, facts, totals: ["t0": ["123456789"], "t1": ["-5"]])
        #expect(guarded == .none)
        #expect(guarded.encoded == "")
        #expect(try Self.refusal(guarded, schema, facts) == nil)
    }

    @Test("a stored int64 total near its bound: the batch that passes it is refused, naming the column")
    func int64AcrossBatches() throws {
        let schema = Self.schema([.int64])
        let stored = String(Int64.max - 10)
        let facts = [Self.fact(2, tenant: "a", [.int64(5)]), Self.fact(3, tenant: "a", [.int64(20)]), Self.fact(4, tenant: "b", [.int64(20)])]
        let guarded = try Self.guarded(schema, facts, totals: ["a": [stored]])
        // Only the key at risk is recorded, with its stored total.
        #expect(guarded.entries.map(\.c) == ["m0"])
        #expect(guarded.entries.map(\.s) == [stored])
        let refused = try Self.refusal(guarded, schema, facts)
        #expect(refused?.contains("totals.m0") == true, "\(refused ?? "accepted")")
        // Any subset that fits is accepted: the probes of the isolation see the same totals.
        #expect(try Self.refusal(guarded, schema, [facts[0], facts[2]]) == nil)
        #expect(try Self.refusal(guarded, schema, [facts[1]]) != nil)
        // Negative deltas count too: a total near the lower bound.
        let low = try Self.guarded(schema, [Self.fact(5, tenant: "a", [.int64(-20)])], totals: ["a": [String(Int64.min + 10)]])
        #expect(try Self.refusal(low, schema, [Self.fact(5, tenant: "a", [.int64(-20)])]) != nil)
        #expect(try Self.refusal(low, schema, [Self.fact(5, tenant: "a", [.int64(20)])]) == nil)
    }

    @Test("recorded totals name their table by its place in the schema: a rebuild's suffixed tables still find them")
    func rebuildSuffix() throws {
        let live = Self.schema([.int64])
        let rebuild = live.withTableSuffix("__rebuild")
        let facts = [Self.fact(1, tenant: "a", [.int64(20)])]
        // Recorded by the rebuild's consumer, checked by the live store after a cutover copied the intent.
        let guarded = try Self.guarded(rebuild, facts, totals: ["a": [String(Int64.max - 10)]])
        #expect(try Self.refusal(guarded, live, facts)?.contains("totals.m0") == true)
    }

    @Test("a total already outside its domain (wrapped by an earlier release) is left unchecked, as before")
    func alreadyWrapped() throws {
        let schema = Self.schema([.int32])
        let facts = [Self.fact(1, tenant: "a", [.int64(-5)])]
        let guarded = try Self.guarded(schema, facts, totals: ["a": [String(Int64(Int32.max) + 7)]])
        #expect(guarded == .none)
        #expect(try Self.refusal(guarded, schema, facts) == nil)
    }

    @Test("a key is at risk when every positive (or negative) delta together could leave the domain")
    func mixedSigns() throws {
        let schema = Self.schema([.int64])
        // max-5 + 10 - 10 fits as a whole, but the subset {+10} does not: the key is recorded, so a
        // probe of that subset is refused as Postgres would refuse it.
        let facts = [Self.fact(1, tenant: "a", [.int64(10)]), Self.fact(2, tenant: "a", [.int64(-10)])]
        let guarded = try Self.guarded(schema, facts, totals: ["a": [String(Int64.max - 5)]])
        #expect(guarded.entries.count == 1)
        #expect(try Self.refusal(guarded, schema, facts) == nil)
        #expect(try Self.refusal(guarded, schema, [facts[0]]) != nil)
    }

    @Test("each domain: int32, uint64, decimal precision, float64 (infinite inputs stay allowed)")
    func domains() throws {
        let schema = Self.schema([.int32, .uint64, .decimal(precision: 5, scale: 2), .float64])
        let stored = [String(Int32.max - 1), String(Int64.max - 1), "999.9", "1.7e308"]
        let fits: [ColumnValue] = [.int64(1), .uint64(1), .string("0.09"), .float64(1)]
        let guardedFits = try Self.guarded(schema, [Self.fact(1, tenant: "a", fits)], totals: ["a": stored])
        #expect(try Self.refusal(guardedFits, schema, [Self.fact(1, tenant: "a", fits)]) == nil)
        let past: [[ColumnValue]] = [
            [.int64(2), .uint64(0), .string("0.00"), .float64(0)],
            [.int64(0), .uint64(2), .string("0.00"), .float64(0)],
            [.int64(0), .uint64(0), .string("0.10"), .float64(0)],
            [.int64(0), .uint64(0), .string("0.00"), .float64(1.7e308)],
        ]
        for (column, values) in past.enumerated() {
            let facts = [Self.fact(1, tenant: "a", values)]
            let guarded = try Self.guarded(schema, facts, totals: ["a": stored])
            let refused = try Self.refusal(guarded, schema, facts)
            #expect(refused?.contains("totals.m\(column)") == true, "column \(column): \(refused ?? "accepted")")
        }
        // An infinite input is the stores' own value (Postgres's float8pl allows it), never a refusal.
        let infinite = [Self.fact(1, tenant: "a", [.int64(0), .uint64(0), .string("0.00"), .float64(.infinity)])]
        #expect(try Self.refusal(try Self.guarded(schema, infinite, totals: ["a": stored]), schema, infinite) == nil)
        // Decimal totals as ClickHouse's toString writes them (trailing zeros trimmed).
        #expect(SumGuard.parseTotal("999.9", type: .decimal(precision: 5, scale: 2)) == .exact(99_990))
        #expect(SumGuard.parseTotal("-3", type: .decimal(precision: 5, scale: 2)) == .exact(-300))
    }

    @Test("a key the table cannot hold is left out of the reading (its write fails by itself, if it gets there)")
    func unencodableKey() {
        let schema = ProjectionSchema(name: "g", storeKinds: [.clickhouse], bindings: [], tables: [
            TableSchema(name: "daily", kind: .aggregate, columns: [
                ColumnSchema(name: "day", type: .date, sources: []),
                ColumnSchema(name: "n", type: .int64, aggregate: .sum, sources: []),
            ], primaryKey: ["day"]),
        ])
        let facts = [
            MappedFact(sequence: 1, factType: "t", tenant: "a", idempotencyKey: "k1", rows: [TableRow(tableIndex: 0, values: [.date(Int32.max), .int64(1)])]),
            MappedFact(sequence: 2, factType: "t", tenant: "a", idempotencyKey: "k2", rows: [TableRow(tableIndex: 0, values: [.date(20_000), .int64(1)])]),
        ]
        let exposures = SumGuard.exposure(of: facts, schema: schema)
        #expect(exposures.map { $0.keys.map(\.values) } == [[[.date(20_000)]]])
        #expect(ClickHouseProjectionStore.querySizeSetting(forStatementBytes: 1_000).isEmpty, "the server's default is left alone when it suffices")
        #expect(ClickHouseProjectionStore.querySizeSetting(forStatementBytes: 300_000) == ["max_query_size": "300000"])
    }

    @Test("the recorded guard survives its encoding byte for byte, and any order of entries encodes alike")
    func encoding() throws {
        let a = SumGuard.Entry(t: 0, k: "0161", c: "m0", s: "9223372036854775797")
        let b = SumGuard.Entry(t: 0, k: "0162", c: "m0", s: "-1")
        let one = SumGuard(entries: [a, b]), two = SumGuard(entries: [b, a])
        #expect(one.encoded == two.encoded)
        #expect(try SumGuard(encoded: one.encoded) == one)
        #expect(try SumGuard(encoded: "") == .none)
        #expect(throws: StoreError.self) { try SumGuard(encoded: "{not json") }
    }

    @Test("keys travel as a ClickHouse string literal that stays ASCII and escapes quotes and backslashes")
    func literal() {
        #expect(ClickHouseProjectionStore.literal(Array("a'b\\c".utf8)) == #"'a\x27b\x5cc'"#)
        #expect(ClickHouseProjectionStore.literal([0x00, 0x7F, 0xC3, 0xA9]) == #"'\x00\x7f\xc3\xa9'"#)
    }
}
