/// What the state hash of one table covers: the columns hashed (in declaration order), the tenant
/// column, the key the rows are ordered by, and which columns are left out and why.
///
/// Columns left out, because they are bookkeeping rather than state and legitimately differ between
/// stores or between a rebuild and uninterrupted consumption:
/// - non-key columns fed only by the JetStream stream sequence (`EnvelopeAttribute.streamSequence`),
///   such as the `_version` of orders-analytics' `orders` (the version column of a `latest` table) or a
///   `max` of sequences: they are positions in one stream, and a rebuild from a re-published or
///   archived stream numbers the same facts differently. For a latest table the version still decides
///   which row is read (`FINAL` / the Postgres upsert); the winning row's other values are hashed. A
///   version column fed by fact data (e.g. an event time) is state and is hashed;
/// - non-key columns of an `aggregate` table that are not measures: ClickHouse's Summing/Aggregating
///   MergeTree keeps an arbitrary one of them per key when parts merge, so they are not deterministic
///   there.
///
/// Key columns are never left out. The internal `_projection_*` tables (checkpoints, seen keys,
/// quarantine, ledger, with their ingestion timestamps) are not projected tables and are never hashed.
public struct StateHashLayout: Sendable, Hashable {
    /// A column left out of the hash, with the reason.
    public struct Exclusion: Sendable, Hashable {
        public var column: String
        public var reason: String
    }

    public var table: TableSchema
    /// The hashed columns, in declaration order; each row is rendered in this order.
    public var columns: [ColumnSchema]
    /// The tenant column (always hashed).
    public var tenantColumn: ColumnSchema
    /// The order of rows: the tenant, then the primary key (or, without one, the sort key).
    public var orderColumns: [ColumnSchema]
    public var excluded: [Exclusion]

    /// The layout of `table`.
    /// - Throws: `StateHashError` `.noTenantColumn` when no column holds the tenant.
    public init(table: TableSchema) throws {
        self.table = table
        let key = table.primaryKey.isEmpty ? table.orderBy : table.primaryKey
        let isTenant: (ColumnSchema) -> Bool = { column in
            !column.sources.isEmpty && column.sources.allSatisfy { $0.value == .envelope(.tenant) }
        }
        guard let tenant = table.columns.first(where: isTenant) ?? table.column(named: "tenant_id") else {
            throw StateHashError(.noTenantColumn, table: table.name,
                                 "the table has no tenant column (fed by the tenant attribute, or named tenant_id)")
        }
        tenantColumn = tenant
        orderColumns = [tenant] + key.filter { $0 != tenant.name }.compactMap { table.column(named: $0) }

        var columns: [ColumnSchema] = []
        var excluded: [Exclusion] = []
        for column in table.columns {
            if let reason = Self.exclusionReason(column, in: table, key: Set(key + [tenant.name])) {
                excluded.append(Exclusion(column: column.name, reason: reason))
            } else {
                columns.append(column)
            }
        }
        self.columns = columns
        self.excluded = excluded
    }

    /// The layouts of the projection's tables (all, or the one named `table`).
    /// - Throws: `StateHashError` `.unknownTable`, `.noTenantColumn`.
    public static func layouts(of schema: ProjectionSchema, table: String? = nil) throws -> [StateHashLayout] {
        if let table {
            guard let found = schema.table(named: table) else {
                let known = schema.tables.map(\.name).joined(separator: ", ")
                throw StateHashError(.unknownTable, table: table, "no such table in projection \(schema.name) (tables: \(known))")
            }
            return [try StateHashLayout(table: found)]
        }
        return try schema.tables.map(StateHashLayout.init(table:))
    }

    /// Position of `name` among the hashed columns.
    public func index(of name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }

    /// Positions of the order columns among the hashed columns.
    public var orderIndices: [Int] {
        orderColumns.compactMap { index(of: $0.name) }
    }

    /// Whether rows whose measures are all zero are left out: a ClickHouse SummingMergeTree (an
    /// aggregate table whose measures are all sums) deletes such rows when it merges parts, so they
    /// are not part of the state on either store.
    public var omitsZeroRows: Bool {
        table.kind == .aggregate && !table.measureColumns.isEmpty && table.measureColumns.allSatisfy { $0.aggregate == .sum }
    }

    /// Positions of the measures among the hashed columns.
    public var measureIndices: [Int] {
        table.measureColumns.compactMap { index(of: $0.name) }
    }

    /// The first line of every hashed stream: the canonical form's version, the table and its
    /// hashed columns with their types, so a schema difference shows as a different digest.
    public var header: String {
        let columnList = columns.map { "\($0.name):\($0.type.canonicalName)\($0.nullable ? "?" : "")" }
        return ([StateHashCanonicalForm.version, table.name] + columnList).joined(separator: "\t") + "\n"
    }

    private static func exclusionReason(_ column: ColumnSchema, in table: TableSchema, key: Set<String>) -> String? {
        if key.contains(column.name) { return nil }
        if !column.sources.isEmpty, column.sources.allSatisfy({ $0.value == .envelope(.streamSequence) }) {
            return column.name == table.versionColumn
                ? "version column fed by the stream sequence" : "fed by the stream sequence"
        }
        if table.kind == .aggregate, column.aggregate == nil {
            return "non-key column of an aggregate table that is not a measure (not merge-deterministic in ClickHouse)"
        }
        return nil
    }
}
