@testable import Columnstore
import Testing

/// `TableSchema.withFactCount`: which tables get `_projection_facts`, and from which facts.
@Suite("Schema: the fact count of sum-only aggregate tables")
struct FactCountTests {
    static func table(_ kind: TableKind, measures: [AggregateFunction]) -> TableSchema {
        var columns = [
            ColumnSchema(name: "tenant_id", type: .string, sources: [
                ColumnSource(factType: "a", value: .envelope(.tenant)), ColumnSource(factType: "b", value: .envelope(.tenant)),
            ]),
        ]
        for (index, function) in measures.enumerated() {
            // Fed by one fact type each: "b" feeds only the key of the first measure's table.
            columns.append(ColumnSchema(name: "m\(index)", type: .int64, aggregate: kind == .aggregate ? function : nil,
                                        sources: [ColumnSource(factType: "a", value: .constant("1"))]))
        }
        return TableSchema(name: "t", kind: kind, columns: columns, primaryKey: ["tenant_id"])
    }

    @Test("a sum-only aggregate table counts every fact type that feeds it, even one feeding only the key")
    func sumOnly() throws {
        let table = Self.table(.aggregate, measures: [.sum, .sum]).withFactCount()
        let count = try #require(table.columns.last)
        #expect(count.name == TableSchema.factCountColumn)
        #expect(count.type == .uint64 && count.aggregate == .sum && !count.nullable)
        #expect(count.sources == [ColumnSource(factType: "a", value: .constant("1")), ColumnSource(factType: "b", value: .constant("1"))])
        // Applying it again changes nothing.
        #expect(table.withFactCount() == table)
    }

    @Test("tables with a MIN or MAX (AggregatingMergeTree deletes no rows), latest and append tables are left as declared",
          arguments: [
              (TableKind.aggregate, [AggregateFunction.sum, .max]), (.aggregate, [.min]),
              (.latest, [.sum]), (.append, [.sum]),
          ])
    func othersUnchanged(kind: TableKind, measures: [AggregateFunction]) {
        let table = Self.table(kind, measures: measures)
        #expect(table.withFactCount() == table)
    }

    @Test("no declared column can take the name: the prefix is reserved")
    func reservedName() {
        #expect(SchemaNaming.identifierProblem(TableSchema.factCountColumn) != nil)
    }
}
