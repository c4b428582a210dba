/// Computes the changes from a recorded snapshot to the current schema, for one target.
enum SchemaDiff {
    static func changes(from old: SchemaSnapshot, to schema: ProjectionSchema, target: DDLTarget) -> [SchemaChange] {
        let new = SchemaSnapshot(schema, target: target)
        var changes: [SchemaChange] = []
        // Declaration order of the current schema keeps migrations readable and stable.
        for table in schema.tables {
            guard let before = old.table(named: table.name), let after = new.table(named: table.name) else {
                changes.append(.createTable(table))
                continue
            }
            changes += tableChanges(before: before, after: after, table: table, target: target)
        }
        for dropped in old.tables where new.table(named: dropped.name) == nil {
            changes.append(.dropTable(dropped.name))
        }
        return changes
    }

    private static func tableChanges(before: TableSnapshot, after: TableSnapshot, table: TableSchema, target: DDLTarget) -> [SchemaChange] {
        if let reason = recreateReason(before: before, after: after, target: target) {
            return [.recreateTable(table, reason: reason)]
        }
        var changes: [SchemaChange] = []
        for column in before.columns where after.column(named: column.name) == nil {
            changes.append(.dropColumn(table: table.name, column: column.name))
        }
        for column in table.columns {
            guard let old = before.column(named: column.name), let new = after.column(named: column.name) else {
                changes.append(.addColumn(table, column))
                continue
            }
            if old.type != new.type || old.nullable != new.nullable || old.lowCardinality != new.lowCardinality {
                changes.append(.modifyColumn(table, column, isDestructive: true, reason: "changes type from \(describe(old)) to \(describe(new))"))
            } else if old.codec != new.codec {
                changes.append(.modifyColumn(table, column, isDestructive: false, reason: "changes codec to \(new.codec ?? "default")"))
            }
        }
        // The expression too: a lock from before it was recorded gets the current one once (TTLs of dates and
        // timestamps near the domain's end used to wrap and expire valid rows at once).
        if before.ttl != after.ttl || before.ttlExpression != after.ttlExpression {
            changes.append(.modifyTTL(table))
        }
        if before.orderBy != after.orderBy {
            // Only Postgres gets here (ClickHouse recreates); its sort key is a plain index.
            changes.append(.replaceSortIndex(table))
        }
        return changes
    }

    private static func recreateReason(before: TableSnapshot, after: TableSnapshot, target: DDLTarget) -> String? {
        if before.kind != after.kind { return "kind changes from \(before.kind.rawValue) to \(after.kind.rawValue)" }
        if before.primaryKey != after.primaryKey {
            return "primary key changes from (\(before.primaryKey.joined(separator: ", "))) to (\(after.primaryKey.joined(separator: ", ")))"
        }
        if before.versionColumn != after.versionColumn { return "version column changes" }
        for column in after.columns {
            if let old = before.column(named: column.name), old.aggregate != column.aggregate {
                return "aggregate of column '\(column.name)' changes"
            }
        }
        guard target.store == .clickhouse else { return nil }
        if before.orderBy != after.orderBy {
            return "ORDER BY changes from (\(before.orderBy.joined(separator: ", "))) to (\(after.orderBy.joined(separator: ", ")))"
        }
        if before.partitionBy != after.partitionBy { return "PARTITION BY changes" }
        return nil
    }

    private static func describe(_ column: ColumnSnapshot) -> String {
        var text = column.type
        if column.lowCardinality == true { text = "low-cardinality " + text }
        return column.nullable ? "nullable " + text : text
    }
}
