/// Rows expire `days` after the value of `column`.
public struct TTLHint: Sendable, Hashable, Codable {
    /// Physical column name (date or timestamp).
    public var column: String
    public var days: Int

    public init(column: String, days: Int) {
        self.column = column
        self.days = days
    }
}
