/// `StateHasher.hash` over rows that arrive in pages in the layout's key order, as the store readers
/// return them (`ORDER BY` the order columns): memory holds one run of rows with equal keys (one row
/// for aggregate and latest tables; for an append table the rows that tie on its sort key), never the
/// tenant's table. The digest is the same as `StateHasher.hash` of the same rows in any order.
///
/// The store's order must agree with `StateHasher.compare`; where it does not (a decimal key whose
/// values tie as doubles, a collation other than bytes), `add` throws `.outOfOrder` and the caller
/// hashes the tenant in memory instead (`StateHash.compute`).
public struct StateHashStream: Sendable {
    public let layout: StateHashLayout
    public let tenant: String
    private let types: [ColumnType]
    private let measures: [Int]
    private let order: [(Int, ColumnType)]
    private var digest = SHA256Stream()
    private var run: [(row: [ColumnValue], line: String)] = []
    private var rowCount = 0

    public init(layout: StateHashLayout, tenant: String) {
        self.layout = layout
        self.tenant = tenant
        types = layout.columns.map(\.type)
        measures = layout.measureIndices
        order = layout.orderIndices.map { ($0, layout.columns[$0].type) }
        digest.update(layout.header.utf8)
    }

    /// The next rows, in key order.
    /// - Throws: `StateHashError` `.unexpectedValue` (a value the canonical form cannot render),
    ///   `.outOfOrder` (a row's key sorts before the previous row's).
    public mutating func add(_ rows: [[ColumnValue]]) throws {
        for row in rows {
            if layout.omitsZeroRows, measures.allSatisfy({ StateHasher.isZero(row[$0]) }) { continue }
            let line: String
            do {
                line = try StateHashCanonicalForm.line(row, types: types)
            } catch var error as StateHashError {
                error.table = layout.table.name
                throw error
            }
            if let first = run.first {
                let comparison = compareKeys(first.row, row)
                if comparison > 0 {
                    throw StateHashError(.outOfOrder, table: layout.table.name, "the store returned a key before the previous one")
                }
                if comparison < 0 { flush() }
            }
            run.append((row, line))
        }
    }

    /// The tenant's hash over every row added.
    public mutating func finish() -> TenantStateHash {
        flush()
        return TenantStateHash(tenant: tenant, rowCount: rowCount, digest: digest.hexDigest())
    }

    /// Rows with equal keys in the order of their canonical lines, as `StateHasher.hash` sorts them.
    private mutating func flush() {
        if run.count > 1 { run.sort { $0.line.utf8.lexicographicallyPrecedes($1.line.utf8) } }
        for entry in run { digest.update(entry.line.utf8) }
        rowCount += run.count
        run.removeAll(keepingCapacity: run.count < 1024)
    }

    private func compareKeys(_ a: [ColumnValue], _ b: [ColumnValue]) -> Int {
        for (index, type) in order {
            let comparison = StateHasher.compare(a[index], b[index], as: type)
            if comparison != 0 { return comparison }
        }
        return 0
    }
}
