/// A projected table, declared by an annotated proto message.
public struct TableSchema: Sendable, Hashable {
    /// Physical table name.
    public var name: String
    /// Fully-qualified name of the proto message declaring the table.
    public var messageName: String
    public var kind: TableKind
    /// Columns in declaration order.
    public var columns: [ColumnSchema]
    /// Physical names of the primary key columns, in order.
    public var primaryKey: [String]
    /// Sort key (ClickHouse ORDER BY): `sort_key_order` annotations, else the primary key.
    public var orderBy: [String]
    public var partitionBy: PartitionHint?
    public var ttl: TTLHint?
    /// Version column of `latest` tables.
    public var versionColumn: String?

    public init(
        name: String, messageName: String = "", kind: TableKind, columns: [ColumnSchema],
        primaryKey: [String], orderBy: [String]? = nil, partitionBy: PartitionHint? = nil,
        ttl: TTLHint? = nil, versionColumn: String? = nil
    ) {
        self.name = name
        self.messageName = messageName
        self.kind = kind
        self.columns = columns
        self.primaryKey = primaryKey
        self.orderBy = orderBy ?? primaryKey
        self.partitionBy = partitionBy
        self.ttl = ttl
        self.versionColumn = versionColumn
    }

    /// The column with a physical name.
    public func column(named name: String) -> ColumnSchema? {
        columns.first { $0.name == name }
    }

    /// Primary key columns, in key order.
    public var keyColumns: [ColumnSchema] {
        primaryKey.compactMap { column(named: $0) }
    }

    /// Columns with an aggregate function (measures of aggregate tables).
    public var measureColumns: [ColumnSchema] {
        columns.filter { $0.aggregate != nil }
    }

    /// Fact types feeding the table, in order of first appearance.
    public var factTypes: [String] {
        var seen = Set<String>()
        var result: [String] = []
        for source in columns.flatMap(\.sources) where seen.insert(source.factType).inserted {
            result.append(source.factType)
        }
        return result
    }

    /// Whether a fact type produces rows in this table.
    public func consumes(factType: String) -> Bool {
        columns.contains { $0.source(forFactType: factType) != nil }
    }
}
