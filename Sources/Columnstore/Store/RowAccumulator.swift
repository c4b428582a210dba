/// Folds a batch's facts into the rows each table receives, pre-aggregated so a store gets one row per
/// key where the table kind allows it: aggregate tables fold their measures per key, latest tables keep
/// the row with the highest (version, stream sequence), append tables keep every row. Postgres needs
/// this (an upsert may not touch a row twice in one statement) and ClickHouse benefits (fewer, larger
/// parts). The folds are the stores' own (docs/ANNOTATIONS.md, "Aggregates"): SUM adds, MIN and MAX
/// skip NULL, and a later fact with an equal version replaces an earlier one.
public struct RowAccumulator {
    private struct TableState {
        var table: TableSchema
        var keyIndexes: [Int]
        var measures: [(index: Int, function: AggregateFunction, type: ColumnType)]
        var versionIndex: Int?
        /// Aggregate tables: the SUM measures with exact arithmetic, whose excursions are tracked (not the
        /// fact count: +1 per fact cannot reach 2^63).
        var excursionColumns: [(index: Int, type: ColumnType)] = []
        var rows: [[ColumnValue]] = []
        /// Per row, per `excursionColumns` entry (row-major, flat so a new key allocates nothing): the
        /// running totals' extremes. Empty without such measures.
        var excursions: [SumExcursion] = []
        /// The rows by key, without building a key per row: the first row of each key hash, and for each
        /// row the next one with the same hash (-1: none). Keys compare as `[ColumnValue]` would (`==`).
        var firstRowByHash: [Int: Int] = [:]
        var nextRowWithHash: [Int] = []
        /// Aggregate tables: earlier segments of the batch's rows, in stream order (see `segments`).
        var closed: [(rows: [[ColumnValue]], excursions: [SumExcursion])] = []

        mutating func add(_ values: [ColumnValue]) throws(StoreError) {
            switch table.kind {
            case .append:
                rows.append(values)
            case .aggregate:
                let hash = keyHash(values)
                if let existing = row(withKeyOf: values, hash: hash) {
                    if !excursionColumns.isEmpty, netWouldLeaveDomain(existing, values) {
                        // The key's net cannot be one row of its column type, though the stored total
                        // plus it may well fit: the fact starts a segment of its own (`segments`).
                        closed.append((rows, excursions))
                        rows = []
                        excursions = []
                        firstRowByHash = [:]
                        nextRowWithHash = []
                        try add(values)
                        return
                    }
                    for (i, function, type) in measures {
                        rows[existing][i] = try RowAccumulator.fold(function, rows[existing][i], values[i], type: type,
                                                                    table: table.name, column: table.columns[i].name)
                    }
                    var slot = existing * excursionColumns.count
                    for (i, type) in excursionColumns {
                        if let total = Self.units(rows[existing][i], type: type) { excursions[slot].reach(total) }
                        slot += 1
                    }
                } else {
                    insert(values, hash: hash)
                    for (i, type) in excursionColumns {
                        excursions.append(SumExcursion(first: SumExcursion.units(of: values[i], type: type) ?? 0))
                    }
                }
            case .latest:
                let hash = keyHash(values)
                if let existing = row(withKeyOf: values, hash: hash) {
                    // Rows arrive in stream order, so on equal versions the later fact wins.
                    if let v = versionIndex, RowAccumulator.compare(values[v], rows[existing][v], type: table.columns[v].type) == .orderedAscending { return }
                    rows[existing] = values
                } else {
                    insert(values, hash: hash)
                }
            }
        }

        /// Whether adding `values` to the folded `row` takes an integer or decimal SUM's net out of its
        /// column's domain (a net the stores cannot receive as one value of the column's type).
        private func netWouldLeaveDomain(_ existing: Int, _ values: [ColumnValue]) -> Bool {
            for (i, type) in excursionColumns {
                guard let a = Self.units(rows[existing][i], type: type), let b = Self.units(values[i], type: type) else { continue }
                let (sum, overflow) = a.addingReportingOverflow(b)
                if overflow || !SumDomain.contains(sum, type: type) { return true }
            }
            return false
        }

        /// `SumExcursion.units`, with the integer case first and inline (this runs per folded row).
        @inline(__always)
        private static func units(_ value: ColumnValue, type: ColumnType) -> Int128? {
            if case .int64(let v) = value { return Int128(v) }
            return SumExcursion.units(of: value, type: type)
        }

        private func keyHash(_ values: [ColumnValue]) -> Int {
            var hasher = Hasher()
            for i in keyIndexes { hasher.combine(values[i]) }
            return hasher.finalize()
        }

        private func row(withKeyOf values: [ColumnValue], hash: Int) -> Int? {
            var candidate = firstRowByHash[hash] ?? -1
            while candidate >= 0 {
                let row = rows[candidate]
                if keyIndexes.allSatisfy({ row[$0] == values[$0] }) { return candidate }
                candidate = nextRowWithHash[candidate]
            }
            return nil
        }

        private mutating func insert(_ values: [ColumnValue], hash: Int) {
            nextRowWithHash.append(firstRowByHash[hash] ?? -1)
            firstRowByHash[hash] = rows.count
            rows.append(values)
        }
    }

    private var tables: [TableState]

    public init(schema: ProjectionSchema) {
        tables = schema.tables.map { table in
            let index = { (name: String) in table.columns.firstIndex { $0.name == name } }
            return TableState(
                table: table,
                keyIndexes: table.primaryKey.compactMap(index),
                measures: table.columns.indices.compactMap { i in table.columns[i].aggregate.map { (i, $0, table.columns[i].type) } },
                versionIndex: table.versionColumn.flatMap(index),
                excursionColumns: table.kind == .aggregate
                    ? table.columns.indices.filter {
                        table.columns[$0].aggregate == .sum && SumExcursion.tracks(table.columns[$0].type) && table.columns[$0].name != TableSchema.factCountColumn
                    }.map { ($0, table.columns[$0].type) }
                    : []
            )
        }
    }

    /// - Throws: `StoreError` `.dataRejected` when a SUM leaves its column's domain (int64 overflow, more
    ///   digits than a decimal's precision): the fact that made it overflow is isolated and quarantined.
    public mutating func add(_ fact: MappedFact) throws(StoreError) {
        for row in fact.rows { try add(row) }
    }

    public mutating func add(_ row: TableRow) throws(StoreError) {
        // Mutate in place: copying a TableState out and back would copy its rows and key index per row.
        try tables[row.tableIndex].add(row.values)
    }

    /// Rows per table index, in first-seen order (deterministic for a given batch). An aggregate table
    /// with several `segments` lists a key once per segment: a writer takes `segments` one by one; this
    /// view is for checks that only parse the rows (ClickHouse's probe) and for measurements.
    public var rowsByTable: [(table: TableSchema, index: Int, rows: [[ColumnValue]])] {
        tables.enumerated().map { offset, state in
            (state.table, offset, state.closed.isEmpty ? state.rows : state.closed.flatMap(\.rows) + state.rows)
        }
    }

    /// Table `index`'s folded rows in segments, in stream order, with the excursions of its integer and
    /// decimal SUM measures (`columns`; per segment row-major and flat: row r's measure m is
    /// `excursions[r * columns.count + m]`). One segment, unless a key's net within the batch would leave
    /// its column's domain (stored at the opposite edge, the batch's deltas of one sign can still fit):
    /// then the fact that would take it out starts a new segment, and a store adds the segments in order,
    /// each checked against the total the earlier ones left (`SumExcursion`), each its own statement or
    /// insert (ClickHouse adds one insert's rows of a key in the column's type, which would wrap). So the
    /// net never decides a refusal; the running total does.
    public func segments(table index: Int) -> (columns: [Int], segments: [(rows: [[ColumnValue]], excursions: [SumExcursion])]) {
        let state = tables[index]
        return (state.excursionColumns.map(\.index), state.closed + [(state.rows, state.excursions)])
    }

    static func fold(_ function: AggregateFunction, _ a: ColumnValue, _ b: ColumnValue, type: ColumnType, table: String, column: String) throws(StoreError) -> ColumnValue {
        // NULL is "no value": MIN and MAX skip it (as on both stores); SUM measures are never NULL.
        if case .null = a { return b }
        if case .null = b { return a }
        switch function {
        case .sum: return try sum(a, b, type: type, table: table, column: column)
        case .max: return compare(b, a, type: type) == .orderedDescending ? b : a
        case .min: return compare(b, a, type: type) == .orderedAscending ? b : a
        }
    }

    static func sum(_ a: ColumnValue, _ b: ColumnValue, type: ColumnType, table: String, column: String) throws(StoreError) -> ColumnValue {
        func overflow() -> StoreError {
            // Named with its table, as the stores name it (a quarantine reason names the field).
            StoreError(code: .dataRejected, detail: "the sum of column \(table).\(column) leaves the \(type.canonicalName) domain")
        }
        switch (a, b, type) {
        case (.int64(let x), .int64(let y), _):
            let (sum, overflowed) = x.addingReportingOverflow(y)
            if overflowed || !SumDomain.contains(Int128(sum), type: type) { throw overflow() }
            return .int64(sum)
        case (.uint64(let x), .uint64(let y), _):
            let (sum, overflowed) = x.addingReportingOverflow(y)
            if overflowed || !SumDomain.contains(Int128(sum), type: type) { throw overflow() }
            return .uint64(sum)
        case (.float64(let x), .float64(let y), _):
            let sum = x + y
            if !SumDomain.accepts(floatSum: sum, of: x, y) { throw overflow() }
            return .float64(sum)
        case (.string(let x), .string(let y), .decimal(_, let scale)):
            guard let ux = DecimalText.units(x, scale: scale), let uy = DecimalText.units(y, scale: scale) else { throw overflow() }
            // Two decimal(38) values can pass Int128's bound (~1.7e38): report it, never trap.
            let (total, overflowed) = ux.addingReportingOverflow(uy)
            guard !overflowed, SumDomain.contains(total, type: type) else { throw overflow() }
            return .string(DecimalText.text(units: total, scale: scale))
        default:
            return a
        }
    }

    /// Order of two non-NULL values of one column type (decimals by value, not by text).
    static func compare(_ a: ColumnValue, _ b: ColumnValue, type: ColumnType) -> ComparisonResult3 {
        func order<T: Comparable>(_ x: T, _ y: T) -> ComparisonResult3 { x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame) }
        switch (a, b) {
        case (.uint64(let x), .uint64(let y)): return order(x, y)
        case (.int64(let x), .int64(let y)): return order(x, y)
        case (.timestamp(let x), .timestamp(let y)): return order(x, y)
        case (.float64(let x), .float64(let y)): return order(x, y)
        case (.date(let x), .date(let y)): return order(x, y)
        case (.string(let x), .string(let y)):
            if case .decimal(_, let scale) = type, let ux = DecimalText.units(x, scale: scale), let uy = DecimalText.units(y, scale: scale) {
                return order(ux, uy)
            }
            if x == y { return .orderedSame }
            return x.utf8.lexicographicallyPrecedes(y.utf8) ? .orderedAscending : .orderedDescending
        default: return .orderedSame
        }
    }

    /// Foundation-free ComparisonResult.
    enum ComparisonResult3 { case orderedAscending, orderedSame, orderedDescending }
}
