import Columnstore
import Foundation
import IngestTestKit
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

    static func fold(_ schema: ProjectionSchema, _ facts: [MappedFact]) throws -> RowAccumulator {
        var accumulator = RowAccumulator(schema: schema)
        for fact in facts { try accumulator.add(fact) }
        return accumulator
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

    @Test("a key is at risk when every positive (or negative) delta together could leave the domain; the running total decides")
    func mixedSigns() throws {
        let schema = Self.schema([.int64])
        // max-5 + 10 - 10 nets to max-5, but the +10 leaves the domain on the way: refused in one batch as
        // in two (where batches end decides nothing), and {-10, +10} (the other order) fits.
        let facts = [Self.fact(1, tenant: "a", [.int64(10)]), Self.fact(2, tenant: "a", [.int64(-10)])]
        let guarded = try Self.guarded(schema, facts, totals: ["a": [String(Int64.max - 5)]])
        #expect(guarded.entries.count == 1)
        #expect(try Self.refusal(guarded, schema, facts)?.contains("totals.m0") == true)
        #expect(try Self.refusal(guarded, schema, [facts[0]]) != nil)
        #expect(try Self.refusal(guarded, schema, [facts[1]]) == nil)
        let reversed = [Self.fact(1, tenant: "a", [.int64(-10)]), Self.fact(2, tenant: "a", [.int64(10)])]
        let guardedReversed = try Self.guarded(schema, reversed, totals: ["a": [String(Int64.max - 5)]])
        #expect(try Self.refusal(guardedReversed, schema, reversed) == nil)
        // Near the lower bound alike, and for decimals in units of their scale.
        let low = [Self.fact(1, tenant: "a", [.int64(-10)]), Self.fact(2, tenant: "a", [.int64(10)])]
        #expect(try Self.refusal(try Self.guarded(schema, low, totals: ["a": [String(Int64.min + 5)]]), schema, low) != nil)
        let decimal = Self.schema([.decimal(precision: 5, scale: 2)])
        let cents = [Self.fact(1, tenant: "a", [.string("0.10")]), Self.fact(2, tenant: "a", [.string("-0.10")])]
        #expect(try Self.refusal(try Self.guarded(decimal, cents, totals: ["a": ["999.95"]]), decimal, cents) != nil)
        #expect(try Self.refusal(try Self.guarded(decimal, cents, totals: ["a": ["999.89"]]), decimal, cents) == nil)
    }

    /// The rule the check implements, against facts applied one by one: over generated batches of
    /// mixed-sign deltas near a bound, split at every point into two batches, the facts the guard plus
    /// `RejectionIsolation`-style prefix probing refuses are those a one-by-one application refuses,
    /// also when a batch's net passes the type and the fold splits it into segments.
    @Test("over generated batches (small deltas at the bound, and nets past int32 itself), the refused facts do not depend on where batches end")
    func batchBoundariesDecideNothing() throws {
        let schema = Self.schema([.int32])
        var rng = SplitMix64(seed: 0x5EED)
        var segmented = 0
        for run in 0..<600 {
            let count = 2 + Int(rng.next() % 7)
            // Even runs: small deltas just under the upper bound. Odd runs: deltas up to ±1.5e9 from near
            // either bound, so a batch's net often passes int32 itself (segments) while facts one by one fit.
            let large = run % 2 == 1
            let deltas = (0..<count).map { _ in large ? Int64(rng.next() % 3_000_000_001) - 1_500_000_000 : Int64(rng.next() % 41) - 20 }
            let start = large
                ? (rng.next() % 2 == 0 ? Int64(Int32.min) + Int64(rng.next() % 1_000_000_000) : Int64(Int32.max) - Int64(rng.next() % 1_000_000_000))
                : Int64(Int32.max) - Int64(rng.next() % 40)
            let whole = try Self.fold(schema, deltas.enumerated().map { Self.fact(UInt64($0.offset + 1), tenant: "a", [.int64($0.element)]) })
            if whole.segments(table: 0).segments.count > 1 { segmented += 1 }
            // One by one: a fact is refused when it takes the running total past the bound.
            var total = start
            var expected: [Int] = []
            for (i, d) in deltas.enumerated() {
                if total + d > Int64(Int32.max) || total + d < Int64(Int32.min) { expected.append(i) } else { total += d }
            }
            for cut in 0...count {
                var stored = start
                var refused: [Int] = []
                for part in [Array(0..<cut), Array(cut..<count)] where !part.isEmpty {
                    // Isolation as the pipeline does it: the shortest refused prefix ends with a culprit.
                    var rest = part
                    while true {
                        let facts = rest.map { Self.fact(UInt64($0 + 1), tenant: "a", [.int64(deltas[$0])]) }
                        let guarded = try Self.guarded(schema, facts, totals: ["a": [String(stored)]])
                        guard try Self.refusal(guarded, schema, facts) != nil else { break }
                        let length = try (1...rest.count).first { n in
                            try Self.refusal(guarded, schema, Array(facts.prefix(n))) != nil
                        }
                        let culprit = try #require(length)
                        refused.append(rest.remove(at: culprit - 1))
                    }
                    stored += rest.reduce(Int64(0)) { $0 + deltas[$1] }
                }
                #expect(refused.sorted() == expected, "start \(start), deltas \(deltas), cut \(cut)")
                #expect(stored == total)
            }
        }
        #expect(segmented > 50, "the large runs split batches into segments (\(segmented) of 600)")
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
