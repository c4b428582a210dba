extension SchemaChange {
    /// What sort of change this is, finer than the enum's cases where data behaves differently (a nullable
    /// column, a column with a zero default and a measure are all `addColumn`). `CaseIterable` so a test
    /// can demand an evolution scenario for every kind the planner can emit.
    public enum Kind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case createTable = "create table"
        case addNullableColumn = "add nullable column"
        /// A non-null, non-measure column: existing rows get the type's zero value.
        case addColumnWithDefault = "add column with default"
        /// A column with an aggregate in an aggregate table: existing rows start at zero (or NULL for MIN/MAX).
        case addMeasure = "add measure"
        case changeCodec = "change codec"
        case changeTTL = "change TTL"
        /// Postgres only: the sort key's index (ClickHouse recreates the table instead).
        case replaceSortIndex = "replace sort index"
        case dropTable = "drop table"
        case recreateTable = "recreate table"
        case dropColumn = "drop column"
        /// Type, nullability or low-cardinality change.
        case changeColumnType = "change column type"

        /// Whether changes of this kind can lose data (and need `--allow-destructive`).
        public var isDestructive: Bool {
            switch self {
            case .dropTable, .recreateTable, .dropColumn, .changeColumnType: return true
            case .createTable, .addNullableColumn, .addColumnWithDefault, .addMeasure, .changeCodec, .changeTTL, .replaceSortIndex: return false
            }
        }

        public var description: String { rawValue }
    }

    public var kind: Kind {
        switch self {
        case .createTable: return .createTable
        case .dropTable: return .dropTable
        case .recreateTable: return .recreateTable
        case .addColumn(_, let column):
            if column.aggregate != nil { return .addMeasure }
            return column.nullable ? .addNullableColumn : .addColumnWithDefault
        case .dropColumn: return .dropColumn
        case .modifyColumn(_, _, let destructive, _): return destructive ? .changeColumnType : .changeCodec
        case .modifyTTL: return .changeTTL
        case .replaceSortIndex: return .replaceSortIndex
        }
    }
}
