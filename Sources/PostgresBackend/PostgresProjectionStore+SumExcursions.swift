import Columnstore
import LibPQ

/// The running-total check of a batch's SUM measures (`SumExcursion`, docs/DESIGN.md "Store rejections").
///
/// The upsert adds each key's net (`t.c + EXCLUDED.c`), which Postgres refuses past the column's domain.
/// A key whose running total went further than its net within the batch (+20 then −20) is checked after
/// its upsert, inside the batch's transaction, where the upsert holds the row's lock: the stored total
/// before the batch is the row's total now minus the net, and it plus each extreme must stay in the
/// domain. Only such keys are sent, in one statement per aggregate table, and only when there are any.
extension PostgresProjectionStore {
    /// The check for the rows of one aggregate table (nil when no row went beyond its net): the statement
    /// and its parameters (key columns' arrays, then per checked measure its nets, lows and highs).
    package static func excursionCheck(_ table: TableSchema, rows: [[ColumnValue]], excursions: (columns: [Int], flat: [SumExcursion])) -> (sql: String, parameters: [String], columns: [String])? {
        let width = excursions.columns.count
        guard table.kind == .aggregate, width > 0, excursions.flat.count == rows.count * width else { return nil }
        // Per measure slot: the net of each row, and whether any row went beyond it.
        var nets: [[Int128]] = Array(repeating: [], count: excursions.columns.count)
        var checked = Array(repeating: false, count: excursions.columns.count)
        var picked: [Int] = []
        for (r, row) in rows.enumerated() {
            var beyond = false
            for (slot, column) in excursions.columns.enumerated() {
                let net = SumExcursion.units(of: row[column], type: table.columns[column].type) ?? 0
                nets[slot].append(net)
                if excursions.flat[r * width + slot].exceeds(net: net) {
                    beyond = true
                    checked[slot] = true
                }
            }
            if beyond { picked.append(r) }
        }
        guard !picked.isEmpty else { return nil }
        let q = { (name: String) in "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let keyColumns = table.primaryKey.compactMap { name in table.columns.firstIndex { $0.name == name } }
        var parameters: [String] = []
        var unnests: [String] = []
        var aliases: [String] = []
        for (position, column) in keyColumns.enumerated() {
            var array = PostgresArrayLiteral(reservingCapacity: picked.count * 12)
            for r in picked { array.append(rows[r][column]) }
            parameters.append(array.literal)
            unnests.append("$\(parameters.count)::\(PostgresDDL.type(table.columns[column].type))[]")
            aliases.append("k\(position)")
        }
        var conditions: [String] = []
        var names: [String] = []
        for (slot, column) in excursions.columns.enumerated() where checked[slot] {
            let type = table.columns[column].type
            let text = { (units: Int128) -> String in
                if case .decimal(_, let scale) = type { return DecimalText.text(units: units, scale: scale) }
                return String(units)
            }
            var netArray = PostgresArrayLiteral(), lowArray = PostgresArrayLiteral(), highArray = PostgresArrayLiteral()
            for r in picked {
                netArray.appendBare(text(nets[slot][r]))
                lowArray.appendBare(text(excursions.flat[r * width + slot].low))
                highArray.appendBare(text(excursions.flat[r * width + slot].high))
            }
            for (suffix, array) in [("n", netArray), ("l", lowArray), ("h", highArray)] {
                parameters.append(array.literal)
                unnests.append("$\(parameters.count)::numeric[]")
                aliases.append("\(suffix)\(slot)")
            }
            // Only exact types get an excursion (`SumExcursion.tracks`), and each has bounds.
            let domain = SumDomain.bounds(of: type) ?? Int128(Int64.min)...Int128(Int64.max)
            let (low, high) = (domain.lowerBound, domain.upperBound)
            let stored = "(t.\(q(table.columns[column].name))::numeric - u.n\(slot))"
            conditions.append("coalesce(bool_or(NOT (\(stored) + u.l\(slot) BETWEEN \(text(low)) AND \(text(high))) OR NOT (\(stored) + u.h\(slot) BETWEEN \(text(low)) AND \(text(high)))), false)")
            names.append(table.columns[column].name)
        }
        let join = keyColumns.enumerated().map { "t.\(q(table.columns[$0.element].name)) = u.k\($0.offset)" }.joined(separator: " AND ")
        let sql = """
            SELECT \(conditions.joined(separator: ", "))
            FROM unnest(\(unnests.joined(separator: ", "))) AS u(\(aliases.joined(separator: ", ")))
            JOIN \(q(table.name)) AS t ON \(join)
            """
        return (sql, parameters, names)
    }

    /// Runs the check for `table`'s folded rows, after their upsert; refuses the batch naming the first
    /// measure whose stored total plus a running total of the batch leaves its domain.
    static func checkExcursions(_ table: TableSchema, rows: [[ColumnValue]], excursions: (columns: [Int], flat: [SumExcursion]), on connection: PostgresConnection) async throws {
        guard let check = excursionCheck(table, rows: rows, excursions: excursions) else { return }
        let result = try await connection.query(check.sql, check.parameters.map { .text($0) })
        guard let row = result.first else { return }
        for (position, name) in check.columns.enumerated() where row.bool(at: position) == true {
            let type = table.columns.first { $0.name == name }?.type.canonicalName ?? "column's"
            throw StoreError(code: .dataRejected, detail: "the stored total of column \(table.name).\(name) plus this batch's leaves the \(type) domain")
        }
    }
}
