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
    func folds() {
        var acc = RowAccumulator(schema: schema)
        acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(1), .int64(5)]))
        acc.add(TableRow(tableIndex: 0, values: [.string("b"), .int64(2), .int64(1)]))
        acc.add(TableRow(tableIndex: 0, values: [.string("a"), .int64(3), .int64(9)]))
        acc.add(TableRow(tableIndex: 1, values: [.string("a"), .string("new"), .uint64(9)]))
        acc.add(TableRow(tableIndex: 1, values: [.string("a"), .string("old"), .uint64(3)]))
        acc.add(TableRow(tableIndex: 2, values: [.int64(1)]))
        acc.add(TableRow(tableIndex: 2, values: [.int64(1)]))
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
