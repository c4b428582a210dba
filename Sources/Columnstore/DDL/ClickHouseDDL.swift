/// Renders schema changes as ClickHouse DDL, one statement per string.
package struct ClickHouseDDL {
    /// Cluster name for `ON CLUSTER` deployments, or `nil` for a single server.
    var cluster: String?

    package init(cluster: String? = nil) {
        self.cluster = cluster
    }

    package func statements(for change: SchemaChange) -> [String] {
        switch change {
        case .createTable(let table):
            return Self.definition(of: table).createStatements(cluster: cluster)
        case .dropTable(let name):
            return drop(name)
        case .recreateTable(let table, _):
            return drop(table.name) + Self.definition(of: table).createStatements(cluster: cluster)
        case .addColumn(let table, let column):
            return alterBoth(table.name) { "ADD COLUMN IF NOT EXISTS " + Self.column(column, in: table, withCodec: $0).definition }
        case .dropColumn(let table, let column):
            return alterBoth(table) { _ in "DROP COLUMN IF EXISTS `\(column)`" }
        case .modifyColumn(let table, let column, _, _):
            return alterBoth(table.name) { "MODIFY COLUMN IF EXISTS " + Self.column(column, in: table, withCodec: $0).definition }
        case .modifyTTL(let table):
            // TTL lives on the data-bearing table only.
            let target = cluster == nil ? table.name : ClickHouseTableDefinition.localName(table.name)
            let action = Self.ttlExpression(table).map { "MODIFY TTL \($0)" } ?? "REMOVE TTL"
            return ["ALTER TABLE \(target)\(onCluster) \(action);"]
        case .replaceSortIndex:
            return []
        }
    }

    private var onCluster: String { cluster.map { " ON CLUSTER \($0)" } ?? "" }

    private func drop(_ name: String) -> [String] {
        guard cluster != nil else { return ["DROP TABLE IF EXISTS \(name);"] }
        return [
            "DROP TABLE IF EXISTS \(name)\(onCluster) SYNC;",
            "DROP TABLE IF EXISTS \(ClickHouseTableDefinition.localName(name))\(onCluster) SYNC;",
        ]
    }

    /// The same ALTER on the local table and, in a cluster, on the Distributed table
    /// (which takes no codecs); the closure gets whether codecs apply.
    private func alterBoth(_ table: String, _ action: (Bool) -> String) -> [String] {
        guard cluster != nil else { return ["ALTER TABLE \(table) \(action(true));"] }
        return [
            "ALTER TABLE \(ClickHouseTableDefinition.localName(table))\(onCluster) \(action(true));",
            "ALTER TABLE \(table)\(onCluster) \(action(false));",
        ]
    }

    // MARK: - Mapping

    package static func definition(of table: TableSchema) -> ClickHouseTableDefinition {
        let usesAggregating = table.kind == .aggregate && table.measureColumns.contains { $0.aggregate != .sum }
        let engine: String
        var arguments: [String] = []
        switch table.kind {
        case .append: engine = "MergeTree"
        case .aggregate: engine = usesAggregating ? "AggregatingMergeTree" : "SummingMergeTree"
        case .latest:
            engine = "ReplacingMergeTree"
            arguments = table.versionColumn.map { [$0] } ?? []
        }
        return ClickHouseTableDefinition(
            name: table.name,
            columns: table.columns.map { column($0, in: table, withCodec: true) },
            engine: engine,
            engineArguments: arguments,
            partitionBy: table.partitionBy.map(partitionExpression),
            orderBy: table.orderBy,
            ttl: ttlExpression(table),
            shardingKey: Self.shardingKey(table)
        )
    }

    /// What a cluster's Distributed table hashes to pick a row's shard: the primary key, else (append
    /// tables) the sort key, else every non-nullable column. Never `rand()`: a batch retried after a
    /// partial failure must send each row to the shard it went to first, or that shard drops the
    /// retry's block by its deduplication token while another shard takes the row a second time.
    static func shardingKey(_ table: TableSchema) -> [String] {
        if !table.primaryKey.isEmpty { return table.primaryKey }
        if !table.orderBy.isEmpty { return table.orderBy }
        return table.columns.filter { !$0.nullable }.map(\.name)
    }

    static func column(_ column: ColumnSchema, in table: TableSchema, withCodec: Bool) -> ClickHouseTableDefinition.Column {
        var type = baseType(column.type)
        if column.nullable { type = "Nullable(\(type))" }
        if column.lowCardinality { type = "LowCardinality(\(type))" }
        // AggregatingMergeTree merges only (Simple)AggregateFunction columns.
        if let function = column.aggregate, table.measureColumns.contains(where: { $0.aggregate != .sum }) {
            type = "SimpleAggregateFunction(\(simpleFunction(function, of: column.type)), \(type))"
        }
        return .init(name: column.name, type: type, codec: withCodec ? column.codec : nil)
    }

    /// `sum` widens Int32 to Int64 and Decimal(P, S) to Decimal(38, S), which a SimpleAggregateFunction
    /// column of the narrower type refuses; `sumWithOverflow` keeps the column's type. It is also how to
    /// read such a measure across parts: `SummingMergeTree` adds parts in the column's type, so parts that
    /// merge before a key's other parts may hold a wrapped partial sum (deltas of both signs near a bound),
    /// which `sum` would widen and add as is, while wrapping arithmetic in the column's type is exact
    /// because every true total stays in the domain (the mapper and the sum checks see to it).
    public static func simpleFunction(_ function: AggregateFunction, of type: ColumnType) -> String {
        switch (function, type) {
        case (.sum, .int32), (.sum, .decimal): return "sumWithOverflow"
        default: return function.rawValue
        }
    }

    static func baseType(_ type: ColumnType) -> String {
        switch type {
        case .string: return "String"
        case .int32: return "Int32"
        case .int64: return "Int64"
        case .uint64: return "UInt64"
        case .float64: return "Float64"
        case .bool: return "Bool"
        case .date: return "Date"
        case .timestamp: return "DateTime64(3, 'UTC')"
        case .decimal(let p, let s): return "Decimal(\(p), \(s))"
        }
    }

    static func partitionExpression(_ hint: PartitionHint) -> String {
        switch hint.granularity {
        case .month: return "toYYYYMM(\(hint.column))"
        case .day: return "toYYYYMMDD(\(hint.column))"
        }
    }

    /// The expiry of a table's rows. It must not wrap inside the value domain, or a valid value expires at
    /// once: `toDateTime` of a timestamp past 2106-02-07 and a `Date` plus the days past 2149-06-06 both wrap
    /// to the 1970s (the row is deleted as it is inserted). A timestamp (DateTime64) adds the interval as it
    /// is (2299 + days still orders right), a date is widened to `Date32` first.
    package static func ttlExpression(_ table: TableSchema) -> String? {
        guard let ttl = table.ttl else { return nil }
        let base = table.column(named: ttl.column)?.type == .date ? "toDate32(\(ttl.column))" : ttl.column
        return "\(base) + INTERVAL \(ttl.days) DAY"
    }
}
