/// The result of a query: column names and rows of text-format values (`nil` is SQL NULL).
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// Column names, in result order.
    public let columns: [String]
    /// Column type OIDs, in result order.
    public let columnTypes: [UInt32]
    /// Rows affected by INSERT/UPDATE/DELETE/COPY… (PQcmdTuples), or the number of rows returned
    /// by SELECT; 0 when the command reports no count.
    public let affectedRows: Int
    /// The command tag, e.g. `INSERT 0 3`.
    public let commandTag: String
    private let values: [[String?]]
    private let columnIndex: [String: Int]

    init(columns: [String], columnTypes: [UInt32], values: [[String?]], affectedRows: Int, commandTag: String) {
        self.columns = columns
        self.columnTypes = columnTypes
        self.values = values
        self.affectedRows = affectedRows
        self.commandTag = commandTag
        // The first column of a name wins, as in most drivers.
        var index: [String: Int] = [:]
        for (i, name) in columns.enumerated() where index[name] == nil { index[name] = i }
        self.columnIndex = index
    }

    public var startIndex: Int { values.startIndex }
    public var endIndex: Int { values.endIndex }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(values: values[position], columnIndex: columnIndex)
    }

    /// The first row, if any.
    public var single: PostgresRow? { isEmpty ? nil : self[0] }
}
