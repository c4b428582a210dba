/// The DDL-relevant state of a column, as recorded in `schema.lock.json`.
public struct ColumnSnapshot: Codable, Sendable, Hashable {
    public var name: String
    /// `ColumnType.canonicalName`.
    public var type: String
    public var nullable: Bool
    public var lowCardinality: Bool?
    public var codec: String?
    public var aggregate: AggregateFunction?

    public init(name: String, type: String, nullable: Bool, lowCardinality: Bool? = nil, codec: String? = nil, aggregate: AggregateFunction? = nil) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.lowCardinality = lowCardinality
        self.codec = codec
        self.aggregate = aggregate
    }
}
