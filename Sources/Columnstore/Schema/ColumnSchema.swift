/// A column of a projected table.
public struct ColumnSchema: Sendable, Hashable {
    /// Physical column name.
    public var name: String
    /// Name of the proto field declaring the column.
    public var fieldName: String
    public var type: ColumnType
    public var nullable: Bool
    public var lowCardinality: Bool
    /// ClickHouse codec expression, e.g. `ZSTD(3)`.
    public var codec: String?
    /// Set for measures of aggregate tables.
    public var aggregate: AggregateFunction?
    /// One source per fact type feeding the column, in declaration order.
    public var sources: [ColumnSource]

    public init(
        name: String, fieldName: String? = nil, type: ColumnType, nullable: Bool = false,
        lowCardinality: Bool = false, codec: String? = nil, aggregate: AggregateFunction? = nil,
        sources: [ColumnSource] = []
    ) {
        self.name = name
        self.fieldName = fieldName ?? name
        self.type = type
        self.nullable = nullable
        self.lowCardinality = lowCardinality
        self.codec = codec
        self.aggregate = aggregate
        self.sources = sources
    }

    /// The source for a fact type, if the fact feeds this column.
    public func source(forFactType factType: String) -> ColumnSource? {
        sources.first { $0.factType == factType }
    }
}
