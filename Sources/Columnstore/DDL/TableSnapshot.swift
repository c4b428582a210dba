/// The DDL-relevant state of a table, as recorded in `schema.lock.json`.
public struct TableSnapshot: Codable, Sendable, Hashable {
    public var name: String
    public var kind: TableKind
    public var columns: [ColumnSnapshot]
    public var primaryKey: [String]
    public var orderBy: [String]
    public var partitionBy: PartitionHint?
    public var ttl: TTLHint?
    /// ClickHouse: the TTL expression the DDL used, so a change of how a hint is expressed (not only of the
    /// hint) is migrated. Locks written before it was recorded have none.
    public var ttlExpression: String?
    public var versionColumn: String?

    public init(
        name: String, kind: TableKind, columns: [ColumnSnapshot], primaryKey: [String], orderBy: [String],
        partitionBy: PartitionHint? = nil, ttl: TTLHint? = nil, ttlExpression: String? = nil, versionColumn: String? = nil
    ) {
        self.name = name
        self.kind = kind
        self.columns = columns
        self.primaryKey = primaryKey
        self.orderBy = orderBy
        self.partitionBy = partitionBy
        self.ttl = ttl
        self.ttlExpression = ttlExpression
        self.versionColumn = versionColumn
    }

    public func column(named name: String) -> ColumnSnapshot? {
        columns.first { $0.name == name }
    }
}
