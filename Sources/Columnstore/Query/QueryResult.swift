/// Rows returned by a query, each a column name → typed value map.
public struct QueryResult: Sendable, Hashable {
    /// Column names in result order.
    public var columns: [String]
    public var rows: [[String: ColumnValue]]

    public init(columns: [String], rows: [[String: ColumnValue]]) {
        self.columns = columns
        self.rows = rows
    }
}
