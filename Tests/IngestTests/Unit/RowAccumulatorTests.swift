import Columnstore
import IngestTestKit
import Testing

@Suite("Row pre-aggregation")
struct RowAccumulatorTests {
    let schema = ProjectionSchema(
        name: "t", storeKinds: [.clickhouse], bindings: [],
        tables: [
            TableSchema(name: "agg", kind: .aggregate, columns: [
                ColumnSchema(name: "k", type: .string),
                ColumnSchema(name: "n", type: .int64, aggregate: .sum),
                ColumnSchema(name: "hi", type: .int64, aggregate: .max),
            ], primaryKey: ["k"]),
            TableSchema(name: "latest", kind: .latest, columns: [
                ColumnSchema(name: "k", type: .string),
                ColumnSchema(name: "v", type: .string),
                ColumnSchema(name: "ver", type: .uint64),
            ], primaryKey: ["k"], versionColumn: "ver"),
            TableSchema(name: "log", kind: .append, columns: [ColumnSchema(name: "x", type: .int64)], primaryKey: ["x"]),
        ])

    @Test("aggregate rows are folded per key, latest keeps the highest version, append keeps all")
    func folds() throws {
        var acc = RowAccumulator(schema: schema)
        try acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(1), .int64(5)]))
        try acc.add(TableRow(tableIndex: 0, values: [.string("b"), .int64(2), .int64(1)]))
        try acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(3), .int64(9)]))
        try acc.add(TableRow(tableIndex: 1, values: [.string("a"), .string("new"), .uint64(9)]))
        try acc.add(TableRow(tableIndex: 1, values: [.string("a"), .string("old"), .uint64(3)]))
        try acc.add(TableRow(tableIndex: 2, values: [.int64(1)]))
        try acc.add(TableRow(tableIndex: 2, values: [.int64(1)]))
        let rows = acc.rowsByTable
        #expect(rows[0].rows == [[.string("a"), .int64(4), .int64(9)], [.string("b"), .int64(2), .int64(1)]])
        #expect(rows[1].rows == [[.string("a"), .string("new"), .uint64(9)]])
        #expect(rows[2].rows.count == 2)
    }

    /// Composite keys (a string, an integer and a float, each possibly NULL; the float -0.0, 0.0 and NaN)
    /// drawn from a small domain, so keys repeat often: the folded rows must equal a reference that groups by linear search with
    /// `==` on the key columns and folds by the documented rules, in first-seen order.
    @Test("generated rows with repeating composite keys fold like a linear-search reference", arguments: 0..<20)
    func generatedFoldsMatchReference(seed: UInt64) throws {
        let schema = ProjectionSchema(
            name: "t", storeKinds: [.clickhouse], bindings: [],
            tables: [
                TableSchema(name: "agg", kind: .aggregate, columns: [
                    ColumnSchema(name: "k1", type: .string, nullable: true),
                    ColumnSchema(name: "n", type: .int64, aggregate: .sum),
                    ColumnSchema(name: "k2", type: .int64, nullable: true),
                    ColumnSchema(name: "hi", type: .int64, nullable: true, aggregate: .max),
                    ColumnSchema(name: "k3", type: .float64, nullable: true),
                ], primaryKey: ["k2", "k1", "k3"]),
                TableSchema(name: "latest", kind: .latest, columns: [
                    ColumnSchema(name: "v", type: .string),
                    ColumnSchema(name: "k1", type: .string, nullable: true),
                    ColumnSchema(name: "ver", type: .uint64),
                    ColumnSchema(name: "k2", type: .int64, nullable: true),
                ], primaryKey: ["k1", "k2"], versionColumn: "ver"),
            ])
        var random = SplitMix64(seed: 0xACC0 &+ seed)
        let strings: [ColumnValue] = [.null, .string(""), .string("a"), .string("A"), .string("é"), .string("e\u{301}"), .string("a\u{0}b"), .string(String(repeating: "x", count: 40))]
        let ints: [ColumnValue] = [.null, .int64(0), .int64(-1), .int64(.min), .int64(.max), .int64(7)]
        // -0.0 == 0.0 (one key); NaN equals nothing, so each NaN row stays a row of its own, as `==` says.
        let floats: [ColumnValue] = [.null, .float64(0.0), .float64(-0.0), .float64(.nan), .float64(1.5)]
        var accumulator = RowAccumulator(schema: schema)
        var aggregate: [[ColumnValue]] = []
        var latest: [[ColumnValue]] = []
        for _ in 0..<2_000 {
            let k1 = strings.randomElement(using: &random)!, k2 = ints.randomElement(using: &random)!
            if Bool.random(using: &random) {
                let n = ColumnValue.int64(Int64.random(in: -1_000...1_000, using: &random))
                let hi: ColumnValue = Int.random(in: 0..<4, using: &random) == 0 ? .null : .int64(Int64.random(in: -50...50, using: &random))
                let k3 = floats.randomElement(using: &random)!
                let row = [k1, n, k2, hi, k3]
                try accumulator.add(TableRow(tableIndex: 0, values: row))
                if let i = aggregate.firstIndex(where: { $0[0] == k1 && $0[2] == k2 && $0[4] == k3 }) {
                    guard case .int64(let a) = aggregate[i][1], case .int64(let b) = n else { Issue.record("sum is not int64"); return }
                    aggregate[i][1] = .int64(a + b)
                    switch (aggregate[i][3], hi) {
                    case (.null, _): aggregate[i][3] = hi
                    case (.int64(let x), .int64(let y)) where y > x: aggregate[i][3] = hi
                    default: break
                    }
                } else {
                    aggregate.append(row)
                }
            } else {
                let row: [ColumnValue] = [.string("v\(Int.random(in: 0..<1_000, using: &random))"), k1, .uint64(UInt64.random(in: 0..<5, using: &random)), k2]
                try accumulator.add(TableRow(tableIndex: 1, values: row))
                if let i = latest.firstIndex(where: { $0[1] == k1 && $0[3] == k2 }) {
                    guard case .uint64(let old) = latest[i][2], case .uint64(let new) = row[2] else { Issue.record("version is not uint64"); return }
                    if new >= old { latest[i] = row }
                } else {
                    latest.append(row)
                }
            }
        }
        let folded = accumulator.rowsByTable
        // Compared by key text: NaN != NaN would fail `==` on equal results.
        #expect(folded[0].rows.map { "\($0)" } == aggregate.map { "\($0)" })
        #expect(folded[1].rows == latest)
        #expect(aggregate.count > 20 && latest.count > 20, "the domain gives many keys, each repeated")
    }

    @Test("in-batch duplicates: the first fact in stream order wins")
    func inBatchDuplicates() {
        let facts = [
            MappedFact(sequence: 1, factType: "x", tenant: "t", idempotencyKey: "k", rows: []),
            MappedFact(sequence: 2, factType: "x", tenant: "u", idempotencyKey: "k", rows: []),
            MappedFact(sequence: 3, factType: "x", tenant: "t", idempotencyKey: "k", rows: []),
        ]
        let payload = BatchPayload(consumer: ConsumerID(projection: "p", consumer: "c"), range: SequenceRange(first: 1, last: 3), facts: facts, quarantined: [])
        let (kept, duplicates) = payload.withoutInBatchDuplicates()
        #expect(kept.map(\.sequence) == [1, 2])
        #expect(duplicates == 1)
        #expect(payload.deduplicationToken(table: "orders") == "p:orders:1-3")
    }

    /// Swift's `==` calls canonically equivalent strings equal; the stores compare bytes. Keys, tenants
    /// and idempotency keys that differ only in normalization must stay apart here too, or whether two
    /// facts share a row would depend on where a batch boundary falls.
    @Test("keys differing only in Unicode normalization are different keys, in rows and in idempotency keys")
    func normalizationIsNotEquality() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed, "the premise: Swift's String == is canonical equivalence")
        #expect(ColumnValue.string(composed) != ColumnValue.string(decomposed))
        #expect(Set([ColumnValue.string(composed), .string(decomposed), .string(composed)]).count == 2)
        var acc = RowAccumulator(schema: schema)
        try acc.add(TableRow(tableIndex: 0, values: [.string(composed), .int64(1), .int64(1)]))
        try acc.add(TableRow(tableIndex: 0, values: [.string(decomposed), .int64(2), .int64(2)]))
        try acc.add(TableRow(tableIndex: 0, values: [.string(composed), .int64(4), .int64(0)]))
        try acc.add(TableRow(tableIndex: 1, values: [.string(decomposed), .string("d"), .uint64(1)]))
        try acc.add(TableRow(tableIndex: 1, values: [.string(composed), .string("c"), .uint64(1)]))
        #expect(acc.rowsByTable[0].rows == [[.string(composed), .int64(5), .int64(1)], [.string(decomposed), .int64(2), .int64(2)]])
        #expect(acc.rowsByTable[1].rows.count == 2)

        let facts = [
            MappedFact(sequence: 1, factType: "x", tenant: "t", idempotencyKey: composed, rows: []),
            MappedFact(sequence: 2, factType: "x", tenant: "t", idempotencyKey: decomposed, rows: []),
            MappedFact(sequence: 3, factType: "x", tenant: composed, idempotencyKey: "k", rows: []),
            MappedFact(sequence: 4, factType: "x", tenant: decomposed, idempotencyKey: "k", rows: []),
            MappedFact(sequence: 5, factType: "x", tenant: "t", idempotencyKey: decomposed, rows: []),
        ]
        let payload = BatchPayload(consumer: ConsumerID(projection: "p", consumer: "c"), range: SequenceRange(first: 1, last: 5), facts: facts, quarantined: [])
        let (kept, duplicates) = payload.withoutInBatchDuplicates()
        #expect(kept.map(\.sequence) == [1, 2, 3, 4])
        #expect(duplicates == 1)
    }
}

@Suite("Row pre-aggregation: the stores' folds")
struct RowAccumulatorParityTests {
    let schema = ProjectionSchema(
        name: "t", storeKinds: [.clickhouse], bindings: [],
        tables: [
            TableSchema(name: "agg", kind: .aggregate, columns: [
                ColumnSchema(name: "k", type: .string),
                ColumnSchema(name: "n", type: .int64, aggregate: .sum),
                ColumnSchema(name: "lo", type: .float64, nullable: true, aggregate: .min),
                ColumnSchema(name: "hi", type: .decimal(precision: 6, scale: 2), nullable: true, aggregate: .max),
                ColumnSchema(name: "amount", type: .decimal(precision: 6, scale: 2), aggregate: .sum),
            ], primaryKey: ["k"]),
            TableSchema(name: "latest", kind: .latest, columns: [
                ColumnSchema(name: "k", type: .string),
                ColumnSchema(name: "v", type: .string),
                ColumnSchema(name: "ver", type: .timestamp),
            ], primaryKey: ["k"], versionColumn: "ver"),
        ])

    @Test("MIN and MAX skip NULL (a fact without a source contributes nothing); decimals compare by value")
    func minMaxSkipNull() throws {
        var acc = RowAccumulator(schema: schema)
        try acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(1), .null, .null, .string("0.00")]))
        try acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(1), .float64(0.25), .string("9.50"), .string("1.25")]))
        try acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(0), .null, .string("10.00"), .string("0.00")]))
        try acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(1), .float64(0.5), .null, .string("-2.50")]))
        #expect(acc.rowsByTable[0].rows == [[.string("a"), .int64(3), .float64(0.25), .string("10.00"), .string("-1.25")]])
    }

    @Test("LATEST: on equal versions the later fact wins; an older version never replaces")
    func latestTies() throws {
        var acc = RowAccumulator(schema: schema)
        try acc.add(TableRow(tableIndex: 1, values: [.string("a"), .string("first"), .timestamp(5)]))
        try acc.add(TableRow(tableIndex: 1, values: [.string("a"), .string("second"), .timestamp(5)]))
        try acc.add(TableRow(tableIndex: 1, values: [.string("a"), .string("older"), .timestamp(4)]))
        #expect(acc.rowsByTable[1].rows == [[.string("a"), .string("second"), .timestamp(5)]])
    }

    @Test("an integer or decimal SUM's net past its type starts a segment (the store decides with the stored total); never wraps or traps")
    func overflow() throws {
        var acc = RowAccumulator(schema: schema)
        try acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(.max), .null, .null, .string("0.00")]))
        try acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(1), .null, .null, .string("0.00")]))
        #expect(acc.segments(table: 0).segments.map { $0.rows.map { $0[1] } } == [[.int64(.max)], [.int64(1)]])
        var decimals = RowAccumulator(schema: schema)
        try decimals.add(TableRow(tableIndex: 0, values: [.string("b"), .int64(0), .null, .null, .string("9999.99")]))
        try decimals.add(TableRow(tableIndex: 0, values: [.string("b"), .int64(0), .null, .null, .string("0.01")]))
        #expect(decimals.segments(table: 0).segments.map { $0.rows.map { $0[4] } } == [[.string("9999.99")], [.string("0.01")]])

        // Two decimal(38) values whose sum passes Int128's bound: a new segment, never a trap.
        let wide = ProjectionSchema(name: "t", storeKinds: [.clickhouse], bindings: [], tables: [
            TableSchema(name: "w", kind: .aggregate, columns: [
                ColumnSchema(name: "k", type: .string),
                ColumnSchema(name: "d", type: .decimal(precision: 38, scale: 0), aggregate: .sum),
                ColumnSchema(name: "f", type: .float64, aggregate: .sum),
            ], primaryKey: ["k"]),
        ])
        let big = String(repeating: "9", count: 38)
        var wideSums = RowAccumulator(schema: wide)
        try wideSums.add(TableRow(tableIndex: 0, values: [.string("a"), .string(big), .float64(0)]))
        try wideSums.add(TableRow(tableIndex: 0, values: [.string("a"), .string(big), .float64(0)]))
        #expect(wideSums.segments(table: 0).segments.count == 2)
        // A finite float sum that overflows is refused, as Postgres refuses it; infinities stay allowed.
        var floats = RowAccumulator(schema: wide)
        try floats.add(TableRow(tableIndex: 0, values: [.string("a"), .string("0"), .float64(.greatestFiniteMagnitude)]))
        #expect(throws: StoreError.self) { try floats.add(TableRow(tableIndex: 0, values: [.string("a"), .string("0"), .float64(.greatestFiniteMagnitude)])) }
        try floats.add(TableRow(tableIndex: 0, values: [.string("b"), .string("0"), .float64(.infinity)]))
        try floats.add(TableRow(tableIndex: 0, values: [.string("b"), .string("0"), .float64(1)]))
        #expect(floats.rowsByTable[0].rows.last == [.string("b"), .string("0"), .float64(.infinity)])
    }
}
