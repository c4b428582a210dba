import Columnstore
import Testing
@testable import PostgresBackend

/// The running totals of a batch's SUM measures (pure): what the accumulator tracks, and the check
/// Postgres runs for keys whose running total went beyond their net (against the server in
/// `ValueParityTests.runningTotalDecides`).
@Suite("SUM excursions: running totals within a batch")
struct SumExcursionTests {
    let schema = ProjectionSchema(
        name: "t", storeKinds: [.postgres], bindings: [],
        tables: [
            TableSchema(name: "agg", kind: .aggregate, columns: [
                ColumnSchema(name: "k", type: .string),
                ColumnSchema(name: "n", type: .int64, aggregate: .sum),
                ColumnSchema(name: "f", type: .float64, aggregate: .sum),
                ColumnSchema(name: "d", type: .decimal(precision: 5, scale: 2), aggregate: .sum),
                ColumnSchema(name: "hi", type: .int32, aggregate: .max),
            ], primaryKey: ["k"]),
            TableSchema(name: "log", kind: .append, columns: [ColumnSchema(name: "x", type: .int64, aggregate: .sum)], primaryKey: []),
        ])

    func row(_ key: String, _ n: Int64, _ d: String) -> TableRow {
        TableRow(tableIndex: 0, values: [.string(key), .int64(n), .float64(1), .string(d), .int64(0)])
    }

    @Test("integer and decimal SUM measures get the extremes of their running totals from zero; float and non-SUM measures none")
    func tracked() throws {
        var acc = RowAccumulator(schema: schema)
        for (n, d) in [(5, "1.00"), (-20, "-0.50"), (30, "0.25")] { try acc.add(row("a", Int64(n), d)) }
        try acc.add(row("b", 7, "0.00"))
        let (columns, segments) = acc.segments(table: 0)
        #expect(columns == [1, 3])
        #expect(segments.count == 1)
        let flat = segments[0].excursions
        let rows = stride(from: 0, to: flat.count, by: 2).map { Array(flat[$0..<($0 + 2)]) }
        // a: 5, -15, 15 (low -15, high 15); d in cents: 100, 50, 75 (low 0: the start, high 100).
        #expect(rows == [[SumExcursion(low: -15, high: 15), SumExcursion(low: 0, high: 100)],
                         [SumExcursion(low: 0, high: 7), SumExcursion(low: 0, high: 0)]])
        #expect(acc.segments(table: 1).columns.isEmpty, "append tables fold nothing")
        #expect(rows[0][0].exceeds(net: 15) == true, "went to -15 below a net of 15")
        #expect(rows[0][1].exceeds(net: 75) == true, "went to 100 above a net of 75")
        #expect(rows[1][0].exceeds(net: 7) == false)
    }

    @Test("the stored total plus the extremes decides, in each domain")
    func fits() {
        let e = SumExcursion(low: -15, high: 15)
        #expect(e.fits(stored: Int128(Int64.max) - 15, type: .int64))
        #expect(!e.fits(stored: Int128(Int64.max) - 14, type: .int64))
        #expect(!e.fits(stored: Int128(Int64.min) + 14, type: .int64))
        #expect(!e.fits(stored: Int128(Int32.max) - 14, type: .int32))
        #expect(!e.fits(stored: 14, type: .uint64), "uint64 totals stay at or above zero")
        // decimal(5,2): below 10^5 units (999.99 at most).
        #expect(e.fits(stored: 99_984, type: .decimal(precision: 5, scale: 2)))
        #expect(!e.fits(stored: 99_985, type: .decimal(precision: 5, scale: 2)))
        // Int128 arithmetic saturating past every domain never traps.
        #expect(!SumExcursion(low: 0, high: .max).fits(stored: 10, type: .decimal(precision: 38, scale: 0)))
    }

    @Test("Postgres checks only the keys and measures whose running total went beyond the net, by their keys")
    func postgresCheck() throws {
        var acc = RowAccumulator(schema: schema)
        for (key, n, d) in [("a", 5, "1.00"), ("a", -20, "0.00"), ("b", 7, "0.00"), ("c", 1, "0.10"), ("c", -1, "0.00")] { try acc.add(row(key, Int64(n), d)) }
        let folded = acc.rowsByTable[0]
        let (columns, segments) = acc.segments(table: 0)
        let check = try #require(PostgresProjectionStore.excursionCheck(folded.table, rows: folded.rows, excursions: (columns, segments[0].excursions)))
        // Keys a (n: 5 then -15; d: 1.00 then 1.00) and c (n: 1 then 0; d: 0.10 then 0.10): n only.
        #expect(check.columns == ["n"])
        #expect(check.parameters == ["{\"a\",\"c\"}", "{-15,0}", "{-15,0}", "{5,1}"])
        #expect(check.sql.contains("JOIN \"agg\" AS t ON t.\"k\" = u.k0"))
        #expect(check.sql.contains("BETWEEN -9223372036854775808 AND 9223372036854775807"))
        // Only one sign per key: nothing to check, no statement.
        var plain = RowAccumulator(schema: schema)
        for (n, d) in [(5, "1.00"), (7, "2.00")] { try plain.add(row("a", Int64(n), d)) }
        let plainSegments = plain.segments(table: 0)
        #expect(PostgresProjectionStore.excursionCheck(plain.rowsByTable[0].table, rows: plain.rowsByTable[0].rows,
                                                       excursions: (plainSegments.columns, plainSegments.segments[0].excursions)) == nil)
        // A decimal's bounds in its own text: 10^precision units minus one, at its scale.
        #expect(SumDomain.bounds(of: .decimal(precision: 5, scale: 2)) == -99_999...99_999)
    }

    @Test("a key's net that would leave its type starts a segment: the stored total at the other edge may still take it")
    func segments() throws {
        let schema = ProjectionSchema(name: "t", storeKinds: [.postgres], bindings: [], tables: [
            TableSchema(name: "agg", kind: .aggregate, columns: [
                ColumnSchema(name: "k", type: .string),
                ColumnSchema(name: "n", type: .int32, aggregate: .sum),
            ], primaryKey: ["k"]),
        ])
        var acc = RowAccumulator(schema: schema)
        // 1.5e9 twice is past int32 as a net, yet a key stored at -2e9 takes both (-0.5e9, then 1e9).
        for (key, n) in [("a", 1_500_000_000), ("b", 1), ("a", 1_500_000_000), ("b", 2), ("a", -5)] {
            try acc.add(MappedFact(sequence: 1, factType: "t", tenant: "", idempotencyKey: "k", rows: [TableRow(tableIndex: 0, values: [.string(key), .int64(Int64(n))])]))
        }
        let (_, segments) = acc.segments(table: 0)
        #expect(segments.map(\.rows) == [
            [[.string("a"), .int64(1_500_000_000)], [.string("b"), .int64(1)]],
            [[.string("a"), .int64(1_499_999_995)], [.string("b"), .int64(2)]],
        ])
        #expect(segments[1].excursions == [SumExcursion(low: 0, high: 1_500_000_000), SumExcursion(low: 0, high: 2)])
        // ClickHouse adds rows of one key: it gets both segments' rows in one insert.
        #expect(acc.rowsByTable[0].rows.count == 4)
    }
}
