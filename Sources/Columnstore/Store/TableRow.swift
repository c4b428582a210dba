/// A row for one projected table: values in the table's column order.
public struct TableRow: Sendable, Hashable {
    /// Index into `ProjectionSchema.tables`.
    public var tableIndex: Int
    public var values: [ColumnValue]

    public init(tableIndex: Int, values: [ColumnValue]) {
        self.tableIndex = tableIndex
        self.values = values
    }
}
