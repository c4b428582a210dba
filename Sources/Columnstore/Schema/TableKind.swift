/// How rows of a table relate to facts.
public enum TableKind: String, Sendable, Hashable, Codable {
    /// Every fact is kept as a row.
    case append
    /// Measures are combined per primary key.
    case aggregate
    /// The row with the highest version per primary key wins.
    case latest
}
