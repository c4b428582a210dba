import Columnstore
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

    @Test("a SUM leaving its domain is a data rejection, not a wrapped value")
    func overflow() throws {
        var acc = RowAccumulator(schema: schema)
        try acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(.max), .null, .null, .string("0.00")]))
        #expect(throws: StoreError.self) {
            try acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(1), .null, .null, .string("0.00")]))
        }
        var decimals = RowAccumulator(schema: schema)
        try decimals.add(TableRow(tableIndex: 0, values: [.string("b"), .int64(0), .null, .null, .string("9999.99")]))
        do {
            try decimals.add(TableRow(tableIndex: 0, values: [.string("b"), .int64(0), .null, .null, .string("0.01")]))
            Issue.record("decimal(6,2) sum past 9999.99 was accepted")
        } catch {
            #expect(error.code == .dataRejected)
        }
    }
}
