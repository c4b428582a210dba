/// How a measure of an aggregate table combines values with the same key.
public enum AggregateFunction: String, Sendable, Hashable, Codable {
    case sum
    case max
    case min
}
