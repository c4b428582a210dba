/// Partitioning of a table by a date or timestamp column.
public struct PartitionHint: Sendable, Hashable, Codable {
    public enum Granularity: String, Sendable, Hashable, Codable {
        case month
        case day
    }

    /// Physical column name.
    public var column: String
    public var granularity: Granularity

    public init(column: String, granularity: Granularity) {
        self.column = column
        self.granularity = granularity
    }
}
