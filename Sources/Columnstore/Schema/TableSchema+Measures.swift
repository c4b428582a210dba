extension TableSchema {
    /// Whether a fact of this type may leave the MIN/MAX measure without a value: the type does not
    /// source it, or its source is optional.
    public func mayLeaveUnset(_ column: ColumnSchema) -> Bool {
        factTypes.contains { factType in
            guard let source = column.source(forFactType: factType) else { return true }
            return !source.isRequired
        }
    }

    /// The table as stored: a MIN or MAX measure that some fact may leave without a value is nullable,
    /// so that fact contributes nothing (NULL, which MIN/MAX skip on both stores) instead of a zero
    /// that would win every MIN over positive values. SUM measures keep zero, which adds nothing.
    public func withSkippableMeasuresNullable() -> TableSchema {
        guard kind == .aggregate else { return self }
        var table = self
        for index in table.columns.indices {
            let column = table.columns[index]
            guard column.aggregate == .min || column.aggregate == .max, !column.nullable, mayLeaveUnset(column) else { continue }
            table.columns[index].nullable = true
        }
        return table
    }
}
