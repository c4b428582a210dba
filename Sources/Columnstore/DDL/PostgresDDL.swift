/// Renders schema changes as Postgres DDL, one statement per string.
///
/// Partitions, TTLs, codecs and low cardinality are ClickHouse hints and do not
/// appear here; the sort key becomes an index when it differs from the primary key.
package struct PostgresDDL {
    package init() {}

    package func statements(for change: SchemaChange) -> [String] {
        switch change {
        case .createTable(let table):
            return create(table)
        case .dropTable(let name):
            return ["DROP TABLE IF EXISTS \(name);"]
        case .recreateTable(let table, _):
            return ["DROP TABLE IF EXISTS \(table.name);"] + create(table)
        case .addColumn(let table, let column):
            var definition = Self.columnDefinition(column)
            // Existing rows need a value for a NOT NULL column.
            if !column.nullable { definition += " DEFAULT " + Self.zeroValue(column.type) }
            return ["ALTER TABLE \(table.name) ADD COLUMN IF NOT EXISTS \(definition);"]
        case .dropColumn(let table, let column):
            return ["ALTER TABLE \(table) DROP COLUMN IF EXISTS \(column);"]
        case .modifyColumn(let table, let column, _, _):
            let type = Self.type(column.type)
            return [
                "ALTER TABLE \(table.name) ALTER COLUMN \(column.name) TYPE \(type) USING \(column.name)::\(type), "
                    + "ALTER COLUMN \(column.name) \(column.nullable ? "DROP" : "SET") NOT NULL;",
            ]
        case .modifyTTL:
            return []
        case .replaceSortIndex(let table):
            return ["DROP INDEX IF EXISTS \(Self.sortIndexName(table.name));"] + sortIndex(table)
        }
    }

    private func create(_ table: TableSchema) -> [String] {
        var lines = ["CREATE TABLE IF NOT EXISTS \(table.name) ("]
        var definitions = table.columns.map { column -> String in
            var definition = Self.columnDefinition(column)
            // Measures are upserted as `x = x + excluded.x`; a zero default keeps partial rows valid.
            // Nullable (MIN/MAX) measures start as NULL: no value yet.
            if column.aggregate != nil, !column.nullable { definition += " DEFAULT 0" }
            return definition
        }
        if !table.primaryKey.isEmpty {
            definitions.append("PRIMARY KEY (\(table.primaryKey.joined(separator: ", ")))")
        }
        lines += definitions.enumerated().map { i, line in "    " + line + (i < definitions.count - 1 ? "," : "") }
        lines.append(");")
        return [lines.joined(separator: "\n")] + sortIndex(table)
    }

    private func sortIndex(_ table: TableSchema) -> [String] {
        guard !table.orderBy.isEmpty, table.orderBy != table.primaryKey else { return [] }
        return ["CREATE INDEX IF NOT EXISTS \(Self.sortIndexName(table.name)) ON \(table.name) (\(table.orderBy.joined(separator: ", ")));"]
    }

    static func sortIndexName(_ table: String) -> String {
        // Postgres truncates identifiers at 63 bytes; keep the suffix.
        String(table.prefix(54)) + "_sort_idx"
    }

    static func columnDefinition(_ column: ColumnSchema) -> String {
        column.name + " " + type(column.type) + (column.nullable ? "" : " NOT NULL")
    }

    package static func type(_ type: ColumnType) -> String {
        switch type {
        case .string: return "text"
        case .int32: return "integer"
        case .int64: return "bigint"
        // Postgres has no unsigned types; stream sequences and versions stay below 2^63.
        case .uint64: return "bigint"
        case .float64: return "double precision"
        case .bool: return "boolean"
        case .date: return "date"
        case .timestamp: return "timestamptz"
        case .decimal(let p, let s): return "numeric(\(p), \(s))"
        }
    }

    static func zeroValue(_ type: ColumnType) -> String {
        switch type {
        case .string: return "''"
        case .int32, .int64, .uint64, .float64, .decimal: return "0"
        case .bool: return "false"
        case .date: return "'1970-01-01'"
        case .timestamp: return "'1970-01-01T00:00:00Z'"
        }
    }
}
