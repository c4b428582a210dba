/// Rows returned by a query: column names and, per row, one typed value per column.
///
/// Kept row-major by column position rather than as one name → value map per row: the query API
/// resolves each response field to a column once per answer, and hashing every column name of
/// every row was a tenth of its CPU per request (docs/BENCHMARKS.md, "Query API overhead, fourth pass").
public struct QueryResult: Sendable, Hashable {
    /// Column names in result order.
    public var columns: [String]
    /// `values[row][column]`: the value of `columns[column]` in that row.
    public var values: [[ColumnValue]]

    public init(columns: [String], values: [[ColumnValue]]) {
        self.columns = columns
        self.values = values
    }

    /// Rows as name → value maps. Keys that `columns` does not name are added as columns after
    /// it, in name order; a column a row lacks is NULL there.
    public init(columns: [String], rows: [[String: ColumnValue]]) {
        var all = columns
        let named = Set(columns)
        all += Set(rows.flatMap(\.keys)).subtracting(named).sorted()
        self.columns = all
        self.values = rows.map { row in all.map { row[$0] ?? .null } }
    }

    /// Each row as a column name → value map (of equal names, the last column wins).
    public var rows: [[String: ColumnValue]] {
        values.map { row in
            var map: [String: ColumnValue] = [:]
            for (name, value) in zip(columns, row) { map[name] = value }
            return map
        }
    }

    /// The position of the column a response field reads: the one named `name`, else the one named
    /// `alternative`; of equal names the last, as in `rows`.
    public func columnIndex(_ name: String, or alternative: String) -> Int? {
        columns.lastIndex(of: name) ?? columns.lastIndex(of: alternative)
    }

    public static func == (lhs: QueryResult, rhs: QueryResult) -> Bool {
        lhs.columns == rhs.columns && lhs.rows == rhs.rows
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(columns)
        hasher.combine(rows)
    }
}
