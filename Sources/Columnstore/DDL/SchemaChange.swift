/// One difference between the recorded schema state and the current schema.
public enum SchemaChange: Sendable, Hashable, CustomStringConvertible {
    case createTable(TableSchema)
    case dropTable(String)
    /// Kind, key, sort key, version, partition or aggregate changes: only a new table can express them.
    case recreateTable(TableSchema, reason: String)
    case addColumn(TableSchema, ColumnSchema)
    case dropColumn(table: String, column: String)
    /// Type, nullability or low-cardinality changes (destructive), or a codec change (not).
    case modifyColumn(TableSchema, ColumnSchema, isDestructive: Bool, reason: String)
    /// New TTL (or its removal when the table has none).
    case modifyTTL(TableSchema)
    /// Postgres sort-key index replaced after a sort key change.
    case replaceSortIndex(TableSchema)

    /// Whether applying the change can lose data.
    public var isDestructive: Bool {
        switch self {
        case .dropTable, .recreateTable, .dropColumn: return true
        case .modifyColumn(_, _, let destructive, _): return destructive
        case .createTable, .addColumn, .modifyTTL, .replaceSortIndex: return false
        }
    }

    /// The table the change is about.
    public var tableName: String {
        switch self {
        case .createTable(let t), .recreateTable(let t, _), .addColumn(let t, _), .modifyColumn(let t, _, _, _),
             .modifyTTL(let t), .replaceSortIndex(let t):
            return t.name
        case .dropTable(let name), .dropColumn(let name, _):
            return name
        }
    }

    public var description: String {
        switch self {
        case .createTable(let t): return "table '\(t.name)': create"
        case .dropTable(let name): return "table '\(name)': drop (removed or renamed in the proto; its data would be lost)"
        case .recreateTable(let t, let reason): return "table '\(t.name)': \(reason); the table must be dropped and recreated (its data would be lost)"
        case .addColumn(let t, let c): return "table '\(t.name)': add column '\(c.name)'"
        case .dropColumn(let table, let column): return "table '\(table)': drop column '\(column)' (removed or renamed in the proto; its data would be lost)"
        case .modifyColumn(let t, let c, _, let reason): return "table '\(t.name)': column '\(c.name)' \(reason)"
        case .modifyTTL(let t): return "table '\(t.name)': " + (t.ttl.map { "TTL \($0.column) + \($0.days) days" } ?? "remove TTL")
        case .replaceSortIndex(let t): return "table '\(t.name)': replace sort index"
        }
    }
}
