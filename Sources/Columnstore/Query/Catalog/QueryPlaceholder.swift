/// A named parameter in a query file: `{from_day:Date}` (ClickHouse) or `{from_day}` (Postgres).
public struct QueryPlaceholder: Sendable, Hashable {
    public var name: String
    /// The ClickHouse type written after the colon; nil in Postgres files.
    public var storeType: String?

    public init(name: String, storeType: String?) {
        self.name = name
        self.storeType = storeType
    }
}
