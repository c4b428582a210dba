/// Folds a batch's facts into the rows each table receives, pre-aggregated so a store gets one row per
/// key where the table kind allows it: aggregate tables sum their measures per key, latest tables keep
/// the row with the highest version, append tables keep every row. Postgres needs this (an upsert may
/// not touch a row twice in one statement) and ClickHouse benefits (fewer, larger parts).
public struct RowAccumulator {
    private struct TableState {
        var table: TableSchema
        var keyIndexes: [Int]
        var measures: [(index: Int, function: AggregateFunction)]
        var versionIndex: Int?
        var rows: [[ColumnValue]] = []
        var rowByKey: [[ColumnValue]: Int] = [:]

        mutating func add(_ values: [ColumnValue]) {
            switch table.kind {
            case .append:
                rows.append(values)
            case .aggregate:
                let key = keyIndexes.map { values[$0] }
                if let existing = rowByKey[key] {
                    for (i, function) in measures {
                        rows[existing][i] = RowAccumulator.fold(function, rows[existing][i], values[i])
                    }
                } else {
                    rowByKey[key] = rows.count
                    rows.append(values)
                }
            case .latest:
                let key = keyIndexes.map { values[$0] }
                if let existing = rowByKey[key] {
                    if let v = versionIndex, !RowAccumulator.isNewer(values[v], than: rows[existing][v]) { return }
                    rows[existing] = values
                } else {
                    rowByKey[key] = rows.count
                    rows.append(values)
                }
            }
        }
    }

    private var tables: [TableState]

    public init(schema: ProjectionSchema) {
        tables = schema.tables.map { table in
            let index = { (name: String) in table.columns.firstIndex { $0.name == name } }
            return TableState(
                table: table,
                keyIndexes: table.primaryKey.compactMap(index),
                measures: table.columns.indices.compactMap { i in table.columns[i].aggregate.map { (i, $0) } },
                versionIndex: table.versionColumn.flatMap(index)
            )
        }
    }

    public mutating func add(_ fact: MappedFact) {
        for row in fact.rows { add(row) }
    }

    public mutating func add(_ row: TableRow) {
        // Mutate in place: copying a TableState out and back would copy its rows and key index per row.
        tables[row.tableIndex].add(row.values)
    }

    /// Rows per table index, in first-seen order (deterministic for a given batch).
    public var rowsByTable: [(table: TableSchema, index: Int, rows: [[ColumnValue]])] {
        tables.enumerated().map { ($0.element.table, $0.offset, $0.element.rows) }
    }

    static func fold(_ function: AggregateFunction, _ a: ColumnValue, _ b: ColumnValue) -> ColumnValue {
        switch function {
        case .sum: return sum(a, b)
        case .max: return isNewer(b, than: a) ? b : a
        case .min: return isNewer(a, than: b) ? b : a
        }
    }

    static func sum(_ a: ColumnValue, _ b: ColumnValue) -> ColumnValue {
        switch (a, b) {
        case (.int64(let x), .int64(let y)): .int64(x &+ y)
        case (.uint64(let x), .uint64(let y)): .uint64(x &+ y)
        case (.float64(let x), .float64(let y)): .float64(x + y)
        case (.null, _): b
        case (_, .null): a
        default: a
        }
    }

    static func isNewer(_ a: ColumnValue, than b: ColumnValue) -> Bool {
        switch (a, b) {
        case (.uint64(let x), .uint64(let y)): x > y
        case (.int64(let x), .int64(let y)): x > y
        case (.timestamp(let x), .timestamp(let y)): x > y
        case (.float64(let x), .float64(let y)): x > y
        case (.date(let x), .date(let y)): x > y
        case (_, .null): true
        default: false
        }
    }
}
