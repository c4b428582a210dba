/// Store-neutral transforms applied to a source value.
public enum SourceTransform: String, Sendable, Hashable {
    case none
    /// UTC calendar date of a timestamp.
    case toDate
    /// Timestamp truncated to the UTC hour.
    case toHour
}
