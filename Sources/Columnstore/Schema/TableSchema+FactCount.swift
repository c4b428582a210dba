extension TableSchema {
    /// The column every sum-only aggregate table gets: how many facts were applied to the row.
    public static let factCountColumn = "_projection_facts"

    /// The table as stored, with `_projection_facts` (UInt64, SUM of 1 for every fact type feeding the
    /// table) when all its measures are SUMs.
    ///
    /// Such a table is a ClickHouse SummingMergeTree, which deletes a row when it merges parts and
    /// every summed column is zero: a day whose refunds cancel its sales would vanish from ClickHouse
    /// (at a moment chosen by the merges) while Postgres keeps it with zeros. A row that facts were
    /// applied to always has a count of at least 1, so it stays on both stores. (Tables with a MIN or
    /// MAX are AggregatingMergeTree, which deletes nothing.) The prefix is reserved, so no declared
    /// column can clash; queries may read the count, e.g. for averages.
    public func withFactCount() -> TableSchema {
        guard kind == .aggregate, !measureColumns.isEmpty, measureColumns.allSatisfy({ $0.aggregate == .sum }),
              !columns.contains(where: { $0.name == Self.factCountColumn })
        else { return self }
        var table = self
        table.columns.append(ColumnSchema(
            name: Self.factCountColumn, type: .uint64, aggregate: .sum,
            sources: factTypes.map { ColumnSource(factType: $0, value: .constant("1")) }))
        return table
    }
}
